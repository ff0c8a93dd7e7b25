import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import type { AlertNotifier } from '../notify/alert-notice.js';
import { pruneActivity } from './activity.repository.js';
import { AlertFeed } from './alert-feed.js';
import { AlertRaiser } from './alert-raiser.js';
import { AlertService } from './alert.service.js';
import { BreakGlassAlerts } from './break-glass-alerts.js';
import { DetectionSettingsService } from './detection-settings.service.js';
import { detectionRoutes } from './detection.routes.js';
import { Detector } from './detector.js';
import { addDays, toLocalTime } from './zoned-time.js';

/** How often the detector looks for new events; an alert exists well within a second of its event. */
export const DETECTOR_POLL_MS = 200;
/** Activity older than this is deleted; no baseline or lookback parameter reaches further. */
const ACTIVITY_KEEP_DAYS = 100;

export interface DetectionOptions {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly notifier: AlertNotifier;
  /** The firm's time zone: working hours, holidays and daily baselines are local to it. */
  readonly timeZone: string;
  readonly logger?: Logger | undefined;
  /** Live stream timings; tests shorten them. */
  readonly stream?: { readonly pollMs?: number; readonly heartbeatMs?: number; readonly sessionCheckMs?: number };
}

/**
 * Builds the detection pieces around one alert feed: the detector, the alert and settings
 * services, the break-glass alert sink and the security routes. Nothing runs until the caller
 * schedules `detector.runUntilIdle` (the composition root does, through its background work).
 */
export function createDetection({ db, audit, notifier, timeZone, logger, stream = {} }: DetectionOptions) {
  const feed = new AlertFeed({ db, pollMs: stream.pollMs, logger });
  const onAlertsChanged = () => feed.nudge();
  const raiser = new AlertRaiser({ notifier });
  const detector = new Detector({ db, audit, raiser, timeZone, logger, onAlertsChanged });
  const alerts = new AlertService({ db, audit, onAlertsChanged });
  const settings = new DetectionSettingsService({ db, audit });
  const breakGlassAlerts = new BreakGlassAlerts({ raiser, onAlertsChanged });

  return {
    feed,
    raiser,
    detector,
    alerts,
    settings,
    breakGlassAlerts,
    routes: detectionRoutes({ db, alerts, settings, feed, heartbeatMs: stream.heartbeatMs, sessionCheckMs: stream.sessionCheckMs }),
    /** Deletes per-member activity older than any rule looks back. */
    async pruneActivity(now: Date): Promise<number> {
      return pruneActivity(db, addDays(toLocalTime(now, timeZone).date, -ACTIVITY_KEEP_DAYS));
    },
  };
}

export type Detection = ReturnType<typeof createDetection>;

export { AlertFeed } from './alert-feed.js';
export { AlertRaiser } from './alert-raiser.js';
export { CursorMovedError, Detector } from './detector.js';
export { RESPONSE_KINDS, RULE_DEFINITIONS, RULE_KEYS, type ResponseKind, type RuleKey } from './rule-catalog.js';
