import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES, cipherSuite } from './cipher-suites.js';
import { type DataKey, openField, readEnvelopeHeader, sealField } from './envelope.js';

const key: DataKey = { id: 'key-1', version: 3, key: randomBytes(32) };
const context = { table: 'clients', column: 'bank_account', rowId: 'row-1' };

function flipBit(ciphertext: string, part: number): string {
  const parts = ciphertext.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe.each(CIPHER_SUITES)('suite %s', (name) => {
  const suite = cipherSuite(name);

  it('round-trips text', () => {
    const sealed = sealField(key, context, '6222 0210 0112 3456 789 中文', suite);

    expect(sealed.split('.')[1]).toBe(suite.label);
    expect(readEnvelopeHeader(sealed)).toEqual({ suite: suite.label, keyId: 'key-1', keyVersion: 3 });
    expect(openField(key, context, sealed)).toBe('6222 0210 0112 3456 789 中文');
  });

  it('round-trips an empty value', () => {
    expect(openField(key, context, sealField(key, context, '', suite))).toBe('');
  });

  it('rejects a value moved to another row', () => {
    const sealed = sealField(key, context, 'secret', suite);
    expect(() => openField(key, { ...context, rowId: 'row-2' }, sealed)).toThrow();
  });

  it('rejects a value moved to another column', () => {
    const sealed = sealField(key, context, 'secret', suite);
    expect(() => openField(key, { ...context, column: 'contact_phone' }, sealed)).toThrow();
  });

  it('rejects a value moved to another table', () => {
    const sealed = sealField(key, context, 'secret', suite);
    expect(() => openField(key, { ...context, table: 'client_people' }, sealed)).toThrow();
  });

  it.each([
    ['nonce', 4],
    ['ciphertext', 5],
    ['tag', 6],
  ])('rejects a flipped bit in the %s', (_part, index) => {
    const sealed = sealField(key, context, 'secret value', suite);
    expect(() => openField(key, context, flipBit(sealed, index))).toThrow();
  });

  it('rejects another key version label', () => {
    const parts = sealField(key, context, 'secret', suite).split('.');
    parts[3] = '4';
    expect(() => openField({ ...key, version: 4 }, context, parts.join('.'))).toThrow();
  });

  it('rejects a wrong key', () => {
    const sealed = sealField(key, context, 'secret', suite);
    expect(() => openField({ ...key, key: randomBytes(32) }, context, sealed)).toThrow();
  });
});

describe('suite labels', () => {
  it('rejects a ciphertext relabelled with the other suite', () => {
    const sealed = sealField(key, context, 'secret', cipherSuite('sm4')).split('.');
    sealed[1] = cipherSuite('aes-256-gcm').label;
    expect(() => openField(key, context, sealed.join('.'))).toThrow();

    const aes = sealField(key, context, 'secret', cipherSuite('aes-256-gcm')).split('.');
    aes[1] = cipherSuite('sm4').label;
    expect(() => openField(key, context, aes.join('.'))).toThrow();
  });

  it('rejects an unknown suite label', () => {
    const parts = sealField(key, context, 'secret').split('.');
    parts[1] = 'rot13';
    expect(() => openField(key, context, parts.join('.'))).toThrow('unknown envelope format or suite');
  });

  it('opens both suites whatever suite writes', () => {
    const sm = sealField(key, context, 'from sm4', cipherSuite('sm4'));
    const aes = sealField(key, context, 'from aes', cipherSuite('aes-256-gcm'));

    expect(openField(key, context, sm)).toBe('from sm4');
    expect(openField(key, context, aes)).toBe('from aes');
  });
});
