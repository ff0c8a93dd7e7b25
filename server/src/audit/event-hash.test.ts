import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditRow } from './audit.repository.js';
import { computeEventHash } from './chain.js';
import { hashEventRow } from './event-hash.js';

type HashedRow = Omit<AuditRow, 'hash'>;

// Full Unicode, lone surrogates included, and the characters JSON escapes.
const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u2028', '\u0000', 'é', '账', '\ud83d', '\ude00') }));
const optionalText = fc.option(text, { nil: null });

const rowArbitrary: fc.Arbitrary<HashedRow> = fc.record({
  seq: fc.integer({ min: 1, max: 2 ** 31 }),
  occurred_at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  actor_id: optionalText,
  actor_username: optionalText,
  action: text,
  outcome: fc.constantFrom('success', 'denied', 'failure'),
  target_type: optionalText,
  target_id: optionalText,
  client_id: optionalText,
  fields: fc.array(text).map((fields) => JSON.stringify(fields)),
  reason: optionalText,
  ip: optionalText,
  user_agent: optionalText,
  details: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.constant(null))).map((details) => JSON.stringify(details)),
  prev_hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), text),
});

describe('hashEventRow', () => {
  it('matches computeEventHash on random rows', () => {
    fc.assert(
      fc.property(rowArbitrary, (row) => {
        expect(hashEventRow(row)).toBe(computeEventHash(row));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches computeEventHash when columns are missing', () => {
    fc.assert(
      fc.property(rowArbitrary, fc.subarray(['actor_id', 'reason', 'ip', 'details', 'occurred_at'] as const), (row, missing) => {
        const partial = { ...row } as Record<string, unknown>;
        for (const column of missing) delete partial[column];
        expect(hashEventRow(partial as HashedRow)).toBe(computeEventHash(partial as HashedRow));
      }),
    );
  });

  it('rejects a row without a previous hash, as computeEventHash does', () => {
    fc.assert(
      fc.property(rowArbitrary, (row) => {
        const { prev_hash: _previous, ...partial } = row;
        expect(() => computeEventHash(partial as HashedRow)).toThrow(TypeError);
        expect(() => hashEventRow(partial as HashedRow)).toThrow(TypeError);
      }),
      { numRuns: 20 },
    );
  });

  it('changes when any hashed column changes', () => {
    const row: HashedRow = { seq: 7, occurred_at: '2026-12-05T10:00:00.000Z', actor_id: 'u1', actor_username: 'bk1', action: 'client.view', outcome: 'success', target_type: 'client', target_id: 'c1', client_id: 'c1', fields: '[]', reason: null, ip: '10.0.0.1', user_agent: 'test', details: '{}', prev_hash: '0'.repeat(64) };
    const original = hashEventRow(row);

    for (const column of Object.keys(row) as (keyof HashedRow)[]) {
      const changed = { ...row, [column]: column === 'seq' ? 8 : `${String(row[column])}x` };
      expect(hashEventRow(changed), column).not.toBe(original);
    }
  });
});
