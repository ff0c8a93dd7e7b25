import type { auditZhCN } from './audit.zh-CN.js';

/** English text of the audit page's address filter, event hashes, export and chain verification, with the same keys as audit.zh-CN.ts. */
export const auditEnUS: Readonly<Record<keyof typeof auditZhCN, string>> = {
  'audit.filter.ip': 'IP address',
  'audit.filter.ipHint': 'A full IP address matches exactly; a prefix ending in * matches every address that starts with it, such as 10.0.3.*',
  'audit.filter.ipInvalid': 'Enter an IP address or a prefix ending in *',

  'audit.event.prevHash': 'Previous event hash',
  'audit.event.hash': 'Event hash',

  'audit.export.xlsx': 'Export Excel',
  'audit.export.csv': 'Export CSV',
  'audit.export.running': 'Exporting…',
  'audit.export.hint': 'Exports every event that matches the current filter (at most 100000). You confirm your identity again first, and the export itself is recorded in the audit log.',
  'audit.export.saved': 'Exported {count} events: {fileName}',
  'audit.export.savedFile': 'Exported: {fileName}',
  'audit.export.failed': 'Export failed: {reason}',

  'audit.verify.run': 'Verify log integrity',
  'audit.verify.running': 'Verifying…',
  'audit.verify.intact': 'The audit log is intact: {checked} events checked, no tampering found.',
  'audit.verify.brokenAt': 'The audit log has been tampered with: the first bad event is #{seq} ({checked} events checked).',
  'audit.verify.broken': 'The audit log has been tampered with ({checked} events checked).',
  'audit.verify.checkpoints': '{checked} signed checkpoints checked; the latest covers events up to #{lastSeq}.',
  'audit.verify.noCheckpoints': 'No signed checkpoint yet.',
  'audit.verify.problem.hash_mismatch': 'The event does not match its hash, so it was changed',
  'audit.verify.problem.link_broken': 'The hash link to the previous event is broken; an event may have been inserted or moved',
  'audit.verify.problem.sequence_gap': 'The sequence numbers have a gap, so an event was deleted',
  'audit.verify.problem.head_mismatch': 'The chain head does not match the last event; the end of the log may have been cut off',
  'audit.verify.problem.checkpoint_mismatch': 'A signed checkpoint does not match the chain hash in the log',
  'audit.verify.problem.checkpoint_signature_invalid': 'A checkpoint signature is invalid',
  'audit.verify.problem.truncated': 'The log is shorter than a signed checkpoint, so events at its end were deleted',

  'audit.action.audit.verified': 'Verify the audit log',
  'audit.action.audit.event_viewed': 'View an audit event',
  'audit.action.audit.exported': 'Export the audit log',
  'audit.action.audit.checkpoint_signed': 'Sign a checkpoint',
  'audit.action.audit.checkpoints_exported': 'Export checkpoints',
  'audit.action.audit.archived': 'Archive audit events',
};
