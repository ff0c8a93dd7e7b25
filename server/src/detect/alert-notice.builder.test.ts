import { describe, expect, it } from 'vitest';
import type { AlertRecord } from './alert.repository.js';
import { buildAlertNotice, isNotifiedCount } from './alert-notice.builder.js';
import { RULE_KEYS } from './rule-catalog.js';

/** Facts of the shape each rule writes, to check that every placeholder of its texts is filled. */
const SAMPLE_FACTS: Record<string, Record<string, string | number>> = {
  failed_sign_ins: { account: 'bk1', failures: 6, windowMinutes: 15, addresses: 1, ip: '10.0.0.9' },
  credential_stuffing: { ip: '10.0.0.9', accounts: 7, attempts: 9, windowMinutes: 10 },
  new_device: { ip: '10.0.0.9', reason: 'new_address', lookbackDays: 30, knownAddresses: 1 },
  off_hours: { localTime: '2026-12-05 23:10', dayKind: 'weekend', holiday: '', action: 'client.view' },
  volume_anomaly: { metric: 'clients', value: 42, baseline: 6.2, stddev: 1.4, threshold: 20, historyDays: 14, day: '2026-12-03' },
  bulk_export: { reason: 'large_export', exports: 1, windowMinutes: 60, rows: 9000, maxRows: 5000 },
  probing: { denials: 12, windowMinutes: 10 },
  dormant_account: { idleDays: 95, lastSignInAt: '2026-09-01T01:00:00.000Z', dormantDays: 60, ip: '10.0.0.9' },
  unusual_department: { department: '税务部', lookbackDays: 30 },
  break_glass: { grantId: 'g-1', endsAt: '2026-12-04T10:30:00.000Z' },
  audit_chain_broken: { firstBrokenSeq: 42, problem: 'checkpoint_mismatch', trigger: 'scheduled' },
};

function alertOf(rule: string): AlertRecord {
  const at = '2026-12-04T02:00:00.000Z';
  return { id: 'a-1', rule, severity: 'high', status: 'new', userId: 'u-1', clientId: null, groupKey: '', evidence: [1], facts: SAMPLE_FACTS[rule]!, count: 1, firstSeenAt: at, lastSeenAt: at, createdAt: at, updatedAt: at, responses: [], revision: 1 };
}

describe('buildAlertNotice', () => {
  it('has a title and summary for every rule in both languages, all placeholders filled', () => {
    for (const rule of RULE_KEYS) {
      const notice = buildAlertNotice(alertOf(rule), 'wang');
      for (const text of [notice.title['zh-CN'], notice.title['en-US'], notice.summary['zh-CN'], notice.summary['en-US']]) {
        expect(text, rule).not.toMatch(/^alert\./);
        expect(text, rule).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('names the member and the count', () => {
    const notice = buildAlertNotice({ ...alertOf('probing'), count: 5 }, 'wang');

    expect(notice.summary['zh-CN']).toContain('wang');
    expect(notice.count).toBe(5);
    expect(notice.username).toBe('wang');
  });
});

describe('isNotifiedCount', () => {
  it('notifies the first alert and repeats on a 1-2-5 series', () => {
    const notified = Array.from({ length: 1000 }, (_, index) => index + 1).filter(isNotifiedCount);

    expect(notified).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
  });
});
