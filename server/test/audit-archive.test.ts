import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, RetentionPeriodError } from '../src/audit/index.js';
import { loadConfig } from '../src/config/config.js';
import { appendEvents, dropAppendOnlyTriggers } from './audit-fixture.js';
import { type TestApp, createTestApp } from './test-app.js';

const run = promisify(execFile);
const DAY = 24 * 60 * 60_000;
let app: TestApp;

/** An archive run's clock: the retention period (1095 days) later than the real now, less `daysEarlier`. */
const afterRetention = (daysEarlier = 10) => new Date(Date.now() + (1095 - daysEarlier) * DAY);

/**
 * Four events written 30 days ago through a second writer with a fake clock (seq 1–4), then a
 * checkpoint (seq 5) and three events of today (seq 6–8).
 */
beforeEach(async () => {
  app = await createTestApp();
  const monthAgo = new Date(Date.now() - 30 * DAY);
  const pastWriter = new AuditLog({ db: app.db, dialect: app.database.dialect, now: () => monthAgo });
  for (let index = 0; index < 4; index += 1) {
    await pastWriter.record({ action: 'client.view', outcome: 'success', actor: { id: `old-${index}`, username: `old${index}` }, details: { index } });
  }
  await app.auditIntegrity.signCheckpoint(new Date());
  await appendEvents(app, 3);
});

afterEach(async () => {
  await app.dispose();
});

const segmentFile = (name: string) => path.join(app.config.dataDir, 'audit', 'archive', name);

function rewriteSegment(name: string, change: (rows: Record<string, unknown>[]) => void, level = 6): void {
  const rows = gunzipSync(readFileSync(segmentFile(name))).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  change(rows);
  writeFileSync(segmentFile(name), gzipSync(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`, { level }));
}

describe('archiving past retention', () => {
  it('moves old events into a signed segment', async () => {
    const result = await app.auditIntegrity.archive({ now: afterRetention(), actor: { id: null, username: 'operator' } });

    expect(result.archived).toBe(4);
    if (!('manifest' in result)) throw new Error('expected a manifest');
    expect(result.manifest).toMatchObject({ firstSeq: 1, lastSeq: 4, eventCount: 4, fileName: 'segment-000000000001-000000000004.jsonl.gz', algorithm: 'ed25519' });
    expect(await app.db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).toEqual([5, 6, 7, 8, 9].map((seq) => ({ seq })));
    expect(await app.db.selectFrom('audit_archives').select(['first_seq', 'last_seq']).execute()).toEqual([{ first_seq: 1, last_seq: 4 }]);
    expect(existsSync(segmentFile(result.manifest.fileName))).toBe(true);
    expect(JSON.parse(readFileSync(segmentFile('segment-000000000001-000000000004.manifest.json'), 'utf8'))).toEqual(result.manifest);
    const recorded = await app.db.selectFrom('audit_events').select(['action', 'actor_username', 'details']).where('seq', '=', 9).executeTakeFirstOrThrow();
    expect(recorded.action).toBe('audit.archived');
    expect(recorded.actor_username).toBe('operator');
    expect(JSON.parse(recorded.details)).toMatchObject({ firstSeq: 1, lastSeq: 4, retentionDays: 1095 });
  });

  it('verifies from the archive anchor afterwards', async () => {
    await app.auditIntegrity.archive({ now: afterRetention() });

    expect(await app.audit.verify()).toEqual({ intact: true, checked: 5 });
    expect(await app.auditIntegrity.verify()).toEqual({ intact: true, checked: 5, checkpoints: { checked: 1, lastSeq: 5 } });
    expect(await app.auditIntegrity.verify({ withArchives: true })).toEqual({ intact: true, checked: 9, checkpoints: { checked: 1, lastSeq: 5 } });
    expect((await app.auditIntegrity.chainStatus()).archivedThroughSeq).toBe(4);
  });

  it('rejects a cut-off inside the retention period', async () => {
    const now = new Date();

    await expect(app.auditIntegrity.archive({ now, before: new Date(now.getTime() - 179 * DAY) })).rejects.toBeInstanceOf(RetentionPeriodError);
    await expect(app.auditIntegrity.archive({ now: afterRetention(), before: new Date() })).rejects.toBeInstanceOf(RetentionPeriodError);
    expect(await app.db.selectFrom('audit_events').select('seq').execute()).toHaveLength(8);
    expect(await app.db.selectFrom('audit_archives').select('first_seq').execute()).toEqual([]);
  });

  it('archives nothing while every event is young', async () => {
    expect(await app.auditIntegrity.archive({ now: new Date() })).toEqual({ archived: 0 });
    expect(await app.db.selectFrom('audit_events').select('seq').execute()).toHaveLength(8);
  });

  it('continues from the previous segment', async () => {
    await app.auditIntegrity.archive({ now: afterRetention() });
    await app.auditIntegrity.archive({ now: new Date(Date.now() + 1096 * DAY) });

    expect(await app.db.selectFrom('audit_archives').select(['first_seq', 'last_seq']).orderBy('first_seq').execute()).toEqual([
      { first_seq: 1, last_seq: 4 },
      { first_seq: 5, last_seq: 9 },
    ]);
    expect(await app.auditIntegrity.verify({ withArchives: true })).toEqual({ intact: true, checked: 10, checkpoints: { checked: 1, lastSeq: 5 } });
    expect(await app.auditIntegrity.verify()).toEqual({ intact: true, checked: 1, checkpoints: { checked: 0, lastSeq: null } });
  });

  it('signs checkpoints after everything was archived', async () => {
    await app.auditIntegrity.archive({ now: new Date(Date.now() + 1096 * DAY) });

    const checkpoint = await app.auditIntegrity.signCheckpoint(new Date());

    expect(checkpoint?.seq).toBe(10);
    expect(await app.auditIntegrity.verify({ withArchives: true })).toMatchObject({ intact: true, checked: 10 });
  });
});

describe('archive tampering', () => {
  beforeEach(async () => {
    await app.auditIntegrity.archive({ now: afterRetention() });
  });

  it('detects a changed event in a segment file', async () => {
    rewriteSegment('segment-000000000001-000000000004.jsonl.gz', (rows) => {
      rows[2]!.actor_username = 'someone-else';
    });

    expect((await app.auditIntegrity.verify()).intact).toBe(true);
    expect(await app.auditIntegrity.verify({ withArchives: true })).toMatchObject({ intact: false, firstBrokenSeq: 3, problem: 'hash_mismatch' });
  });

  it('detects a segment file rewritten byte for byte differently', async () => {
    rewriteSegment('segment-000000000001-000000000004.jsonl.gz', () => undefined, 1);

    expect(await app.auditIntegrity.verify({ withArchives: true })).toMatchObject({ intact: false, firstBrokenSeq: 1, problem: 'checkpoint_mismatch' });
  });

  it('detects a missing segment file', async () => {
    rmSync(segmentFile('segment-000000000001-000000000004.jsonl.gz'));

    expect(await app.auditIntegrity.verify({ withArchives: true })).toMatchObject({ intact: false, firstBrokenSeq: 1, problem: 'sequence_gap' });
  });

  it('detects a shortened segment file', async () => {
    rewriteSegment('segment-000000000001-000000000004.jsonl.gz', (rows) => {
      rows.pop();
    });

    expect(await app.auditIntegrity.verify({ withArchives: true })).toMatchObject({ intact: false, firstBrokenSeq: 4, problem: 'sequence_gap' });
  });

  it('detects events removed under a forged archive record', async () => {
    // The delete trigger lets rows go once an archive record covers them, so a forger adds one.
    const anchor = await app.db.selectFrom('audit_events').select('hash').where('seq', '=', 6).executeTakeFirstOrThrow();
    await app.db
      .insertInto('audit_archives')
      .values({ first_seq: 5, last_seq: 6, first_prev_hash: 'x', last_hash: anchor.hash, event_count: 2, file_name: 'none.jsonl.gz', file_sha256: 'x', before_at: new Date().toISOString(), created_at: new Date().toISOString(), algorithm: 'ed25519', key_id: 'forged', signature: 'AAAA' })
      .execute();
    await app.db.deleteFrom('audit_events').where('seq', 'in', [5, 6]).execute();

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 5, problem: 'checkpoint_signature_invalid' });
  });

  it('detects a deleted archive record', async () => {
    await dropAppendOnlyTriggers(app);
    await app.db.deleteFrom('audit_archives').execute();

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 1, problem: 'sequence_gap' });
  });
});

describe('retention settings', () => {
  it('defaults to three years', () => {
    expect(loadConfig({}).auditIntegrity.retentionDays).toBe(1095);
  });

  it('rejects less than 180 days', () => {
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '179' })).toThrow(/AUDIT_RETENTION_DAYS: must be at least 180 days/);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '180' }).auditIntegrity.retentionDays).toBe(180);
  });
});

describe('archive on the command line', () => {
  it('rejects a cut-off inside the retention period', async () => {
    const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: app.config.dataDir, LOG_LEVEL: 'silent' };
    if (app.config.databaseUrl && app.config.databaseSchema) {
      environment.DATABASE_URL = app.config.databaseUrl;
      environment.DATABASE_SCHEMA = app.config.databaseSchema;
    }

    const rejected = (await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'archive', '--before', new Date().toISOString().slice(0, 10)], { env: environment }).catch((error: unknown) => error)) as { code: number; stderr: string };
    const nothing = await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'archive'], { env: environment });
    const verified = await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'verify', '--archives'], { env: environment });

    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('archive rejected');
    expect(nothing.stdout).toContain('nothing to archive');
    expect(verified.stdout).toContain('audit log intact');
    expect(await app.db.selectFrom('audit_archives').select('first_seq').execute()).toEqual([]);
  });
});
