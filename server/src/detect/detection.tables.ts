/** A status change of an alert with the note the security administrator gave. */
export interface AlertNoteTable {
  id: string;
  alert_id: string;
  at: string;
  user_id: string | null;
  username: string | null;
  from_status: string;
  to_status: string;
  note: string;
}

/** One automatic response the detector took (or skipped) for an alert. */
export interface AlertResponseTable {
  id: string;
  alert_id: string;
  /** Order in which the alert's responses were taken; several share one instant. */
  position: number;
  kind: string;
  at: string;
  /** `done`, or `skipped` when the response could not apply (see `detail`). */
  outcome: 'done' | 'skipped';
  /** Short machine-readable detail, such as `sessions_ended=2` or `last_administrator`. */
  detail: string | null;
}

/** A rule's settings as a security administrator saved them; rules without a row use their defaults. */
export interface DetectionRuleTable {
  key: string;
  enabled: number;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** JSON object of parameter values, checked against the rule's parameter specs when saved. */
  params: string;
  /** JSON array of automatic responses. */
  responses: string;
  updated_at: string;
  /** User id of the security administrator who saved the settings. */
  updated_by: string | null;
}

/** A day that differs from the usual week: a public holiday, or a weekend day that is worked (调休). */
export interface WorkCalendarTable {
  /** Local date in the firm's time zone, `YYYY-MM-DD`. */
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
}

/** How far a detector has read the audit log; it moves only by compare-and-set. */
export interface DetectorCursorTable {
  name: string;
  /** The last audit sequence number whose evaluation is committed. */
  last_seq: number;
  /** When a detector last took the row for a batch; the update itself is the lock. */
  claimed_at: string | null;
  updated_at: string;
}

/** A single counter row; every alert change takes the next value, so readers can follow changes in order. */
export interface AlertRevisionTable {
  id: number;
  value: number;
}

/** One member's activity on one local day, the raw material of the per-member baseline. */
export interface MemberActivityDayTable {
  user_id: string;
  /** Local date in the firm's time zone, `YYYY-MM-DD`. */
  day: string;
  /** Distinct clients viewed or revealed from. */
  clients_accessed: number;
  values_revealed: number;
}

/** A client a member accessed on a local day, with the client's department at that time. */
export interface MemberDayClientTable {
  user_id: string;
  day: string;
  client_id: string;
  department_id: string | null;
}

/** Row types of the tables for detectors, rules, baselines, alerts and automatic responses (migration 1300); part of DatabaseSchema. */
export interface DetectionTables {
  alert_notes: AlertNoteTable;
  alert_responses: AlertResponseTable;
  detection_rules: DetectionRuleTable;
  work_calendar: WorkCalendarTable;
  detector_cursors: DetectorCursorTable;
  alert_revision: AlertRevisionTable;
  member_activity_days: MemberActivityDayTable;
  member_day_clients: MemberDayClientTable;
}
