/** Every kind of audit event the system writes; the audit page filters by these. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.setup',
  'auth.session_expired',
  'auth.second_factor',
  'auth.step_up',
  'auth.factor_enrolled',
  'auth.factor_removed',
  'auth.recovery_codes_generated',
  'auth.password_changed',
  'auth.session_revoked',
  'auth.new_device',
  'account.phone_changed',
  'account.email_changed',
  'admin.user_disabled',
  'admin.user_enabled',
  'admin.password_reset',
  'admin.user_unlocked',
  'auth.account_locked',
  'governance.request_filed',
  'governance.request_approved',
  'governance.request_rejected',
  'governance.request_withdrawn',
  'governance.request_expired',
  'governance.request_applied',
  'governance.break_glass',
  'governance.flow_changed',
  'governance.grant_expired',
  'review.campaign_started',
  'review.item_decided',
  'review.campaign_closed',
  'review.dormant_flagged',
  'review.dormant_disabled',
  'client.list',
  'client.view',
  'client.reveal',
  'client.import',
  'access.denied',
  'access.explained',
  'audit.search',
  'audit.verified',
  'import.report_download',
  'document.uploaded',
  'document.download',
  'document.previewed',
  'audit.event_viewed',
  'audit.exported',
  'audit.checkpoint_signed',
  'audit.checkpoints_exported',
  'audit.archived',
  'security.alert_raised',
  'security.alert_updated',
  'security.response_taken',
  'security.rule_changed',
  'security.calendar_changed',
  'security.channel_changed',
  'security.channel_tested',
  'keys.rotated',
  'keys.reencrypted',
  'keys.retired',
  'backup.created',
  'backup.verified',
  'backup.restored',
  'backup.pruned',
  'client.archived',
  'retention.destroyed',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditActor {
  readonly id: string | null;
  readonly username: string | null;
}

export interface AuditEventInput {
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly actor: AuditActor | null;
  readonly targetType?: string | undefined;
  readonly targetId?: string | undefined;
  readonly clientId?: string | undefined;
  /** Names of the fields involved, never their values. */
  readonly fields?: readonly string[] | undefined;
  readonly reason?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  /** Non-sensitive context: counts, codes, old and new values of non-sensitive fields. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

export interface AuditEvent {
  readonly seq: number;
  readonly occurredAt: string;
  readonly actorId: string | null;
  readonly actorUsername: string | null;
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly clientId: string | null;
  readonly fields: string[];
  readonly reason: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}
