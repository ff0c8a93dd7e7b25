import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';
import { type Ciphertext, type CipherSuiteName, FieldCrypto, deriveServiceKey, ephemeralKeyring, normalizeForBlindIndex } from '../server/src/crypto/index.js';
import { migrateToLatestOrThrow, openDatabase } from '../server/src/db/index.js';
import { type CipherSweetBackend, type ProtectedValue, type RawSealed, cipherSweetFields, generateValues, rawAesGcmOpen, rawAesGcmSeal, rawSm4Open, rawSm4Seal } from './lib/field-crypto-peers.js';
import { type Measurement, saveReport } from './lib/report.js';

/**
 * Field encryption with a blind index, as the product protects a resident ID number, a mobile
 * number and a bank account, against raw node:crypto on the same values and against ciphersweet-js
 * 2.0.6 doing the same job. Both product suites are measured: AES-256-GCM and SM4-CTR with HMAC-SM3.
 */
const RECORDS = 1024;
const ROUNDS = 9;
/** Records per round for ciphersweet's default blind index, which costs tens of milliseconds per value by design. */
const SLOW_INDEX_RECORDS = 2;

const values = generateValues(RECORDS);
const slowValues = values.slice(0, SLOW_INDEX_RECORDS * 3);
const aad = (item: ProtectedValue) => Buffer.from(`clients|${item.column}|${item.rowId}`);
const contextOf = (item: ProtectedValue) => ({ table: 'clients', column: item.column, rowId: item.rowId });

/** Times `round` over `items` values per iteration and reports the time of one value. */
function perValue(items: number, round: () => Promise<unknown> | unknown) {
  return async () => {
    const started = performance.now();
    await round();
    const elapsed = performance.now() - started;
    return { overriddenDuration: elapsed / items, overriddenIterationCost: elapsed };
  };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lg-bench-crypto-'));
const keyring = ephemeralKeyring();
const database = openDatabase({ databaseUrl: undefined, dataDir, sqliteKey: deriveServiceKey(keyring, 'sqlite-database') });
await migrateToLatestOrThrow(database.db);

/** Runs the product path: encrypt under the client's data key, then compute the column's blind index. Keys are cached after the first value. */
async function productSeal(crypto: FieldCrypto, item: ProtectedValue): Promise<{ ciphertext: Ciphertext; index: string }> {
  const ciphertext = await crypto.encrypt(database.db, item.rowId, contextOf(item), item.value);
  const index = await crypto.blindIndex(database.db, 'clients', item.column, normalizeForBlindIndex(item.form, item.value));
  return { ciphertext, index };
}

const suites: Record<CipherSuiteName, FieldCrypto> = {
  'aes-256-gcm': new FieldCrypto(keyring, { suite: 'aes-256-gcm' }),
  sm4: new FieldCrypto(keyring, { suite: 'sm4' }),
};
const sealedBySuite = new Map<CipherSuiteName, Ciphertext[]>();
for (const [suite, crypto] of Object.entries(suites) as [CipherSuiteName, FieldCrypto][]) {
  const sealed: Ciphertext[] = [];
  for (const item of values) sealed.push((await productSeal(crypto, item)).ciphertext);
  sealedBySuite.set(suite, sealed);
}

const aesKey = randomBytes(32);
const smOkm = Buffer.from(hkdfSync('sm3', randomBytes(32), Buffer.alloc(0), 'bench', 48));
const [smEncryptionKey, smMacKey] = [smOkm.subarray(0, 16), smOkm.subarray(16)];
const rawAes = values.map((item) => rawAesGcmSeal(aesKey, aad(item), item.value));
const rawSm4 = values.map((item) => rawSm4Seal(smEncryptionKey, smMacKey, aad(item), item.value));

const sweetConfigurations: { backend: CipherSweetBackend; fastHash: boolean }[] = [
  { backend: 'BoringCrypto', fastHash: false },
  { backend: 'BoringCrypto', fastHash: true },
  { backend: 'FIPSCrypto', fastHash: false },
  { backend: 'FIPSCrypto', fastHash: true },
];
const sweetName = ({ backend, fastHash }: { backend: CipherSweetBackend; fastHash: boolean }) => `ciphersweet-js ${backend}, ${fastHash ? 'fast' : 'default (slow)'} blind index`;
const sweets = sweetConfigurations.map((configuration) => ({ ...configuration, name: sweetName(configuration), fields: cipherSweetFields(configuration.backend, configuration.fastHash) }));
const sweetSealed = new Map<string, string[]>();
for (const sweet of sweets.filter((candidate) => candidate.fastHash)) {
  const sealed: string[] = [];
  for (const item of values) sealed.push((await sweet.fields.prepare(item)).ciphertext);
  sweetSealed.set(sweet.name, sealed);
}

// Every path must give the value back, or the timings compare different work.
for (const [suite, crypto] of Object.entries(suites) as [CipherSuiteName, FieldCrypto][]) {
  const sealed = sealedBySuite.get(suite)!;
  for (const [index, item] of values.entries()) {
    if ((await crypto.decrypt(database.db, contextOf(item), sealed[index]!)) !== item.value) throw new Error(`FieldCrypto ${suite} did not round-trip ${item.column}`);
  }
}
for (const sweet of sweets.filter((candidate) => candidate.fastHash)) {
  const sealed = sweetSealed.get(sweet.name)!;
  if ((await sweet.fields.open(values[0]!, sealed[0]!)) !== values[0]!.value) throw new Error(`${sweet.name} did not round-trip`);
}

const bench = new Bench({ time: 0, iterations: ROUNDS, warmupIterations: 2, warmupTime: 0 });
const ENCRYPT = {
  fieldAes: 'FieldCrypto AES-256-GCM: encrypt + blind index',
  fieldSm4: 'FieldCrypto SM4-CTR+HMAC-SM3: encrypt + blind index',
  rawAes: 'raw AES-256-GCM encrypt (node:crypto, fresh IV)',
  rawSm4: 'raw SM4-CTR + HMAC-SM3 encrypt (node:crypto, keys given)',
};
const DECRYPT = {
  fieldAes: 'FieldCrypto AES-256-GCM: decrypt',
  fieldSm4: 'FieldCrypto SM4-CTR+HMAC-SM3: decrypt',
  rawAes: 'raw AES-256-GCM decrypt',
  rawSm4: 'raw SM4-CTR + HMAC-SM3 decrypt',
};

bench
  .add(ENCRYPT.fieldAes, perValue(values.length, async () => {
    for (const item of values) await productSeal(suites['aes-256-gcm'], item);
  }))
  .add(ENCRYPT.fieldSm4, perValue(values.length, async () => {
    for (const item of values) await productSeal(suites.sm4, item);
  }))
  .add(ENCRYPT.rawAes, perValue(values.length, () => {
    for (const item of values) rawAesGcmSeal(aesKey, aad(item), item.value);
  }))
  .add(ENCRYPT.rawSm4, perValue(values.length, () => {
    for (const item of values) rawSm4Seal(smEncryptionKey, smMacKey, aad(item), item.value);
  }))
  .add(DECRYPT.fieldAes, perValue(values.length, async () => {
    const sealed = sealedBySuite.get('aes-256-gcm')!;
    for (const [index, item] of values.entries()) await suites['aes-256-gcm'].decrypt(database.db, contextOf(item), sealed[index]!);
  }))
  .add(DECRYPT.fieldSm4, perValue(values.length, async () => {
    const sealed = sealedBySuite.get('sm4')!;
    for (const [index, item] of values.entries()) await suites.sm4.decrypt(database.db, contextOf(item), sealed[index]!);
  }))
  .add(DECRYPT.rawAes, perValue(values.length, () => {
    for (const [index, item] of values.entries()) rawAesGcmOpen(aesKey, aad(item), rawAes[index] as RawSealed);
  }))
  .add(DECRYPT.rawSm4, perValue(values.length, () => {
    for (const [index, item] of values.entries()) rawSm4Open(smEncryptionKey, smMacKey, aad(item), rawSm4[index] as RawSealed);
  }));

for (const sweet of sweets) {
  const sample = sweet.fastHash ? values : slowValues;
  bench.add(`${sweet.name}: encrypt + blind index`, perValue(sample.length, async () => {
    for (const item of sample) await sweet.fields.prepare(item);
  }));
  if (sweet.fastHash) {
    // Decryption does not touch the blind index, so it is timed once per backend.
    const sealed = sweetSealed.get(sweet.name)!;
    bench.add(`ciphersweet-js ${sweet.backend}: decrypt`, perValue(values.length, async () => {
      for (const [index, item] of values.entries()) await sweet.fields.open(item, sealed[index]!);
    }));
  }
}

await bench.run();
console.table(bench.table());
await database.close();
rmSync(dataDir, { recursive: true, force: true });

/** Values per second from the median round. */
const rates = new Map<string, number>();
for (const task of bench.tasks) {
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`Benchmark task ${task.name} did not complete (${result.state})`);
  rates.set(task.name, 1000 / result.latency.p50);
}
const rate = (name: string) => rates.get(name)!;

const measurements: Measurement[] = [...rates].map(([name, value]) => ({ name, value, unit: 'values/s' }));
const fastBoring = `${sweetName({ backend: 'BoringCrypto', fastHash: true })}: encrypt + blind index`;
const slowBoring = `${sweetName({ backend: 'BoringCrypto', fastHash: false })}: encrypt + blind index`;
const fastFips = `${sweetName({ backend: 'FIPSCrypto', fastHash: true })}: encrypt + blind index`;
const slowFips = `${sweetName({ backend: 'FIPSCrypto', fastHash: false })}: encrypt + blind index`;
measurements.push(
  { name: 'FieldCrypto AES encrypt + index ÷ raw AES-256-GCM encrypt', value: (100 * rate(ENCRYPT.fieldAes)) / rate(ENCRYPT.rawAes), unit: '%' },
  { name: 'FieldCrypto SM encrypt + index ÷ raw SM4-CTR + HMAC-SM3 encrypt', value: (100 * rate(ENCRYPT.fieldSm4)) / rate(ENCRYPT.rawSm4), unit: '%' },
  { name: 'FieldCrypto SM encrypt + index ÷ raw AES-256-GCM encrypt', value: (100 * rate(ENCRYPT.fieldSm4)) / rate(ENCRYPT.rawAes), unit: '%' },
  { name: 'FieldCrypto AES decrypt ÷ raw AES-256-GCM decrypt', value: (100 * rate(DECRYPT.fieldAes)) / rate(DECRYPT.rawAes), unit: '%' },
  { name: 'FieldCrypto SM decrypt ÷ raw SM4-CTR + HMAC-SM3 decrypt', value: (100 * rate(DECRYPT.fieldSm4)) / rate(DECRYPT.rawSm4), unit: '%' },
  { name: 'FieldCrypto AES encrypt + index ÷ ciphersweet FIPSCrypto, fast index', value: rate(ENCRYPT.fieldAes) / rate(fastFips), unit: '×' },
  { name: 'FieldCrypto AES encrypt + index ÷ ciphersweet BoringCrypto, fast index', value: rate(ENCRYPT.fieldAes) / rate(fastBoring), unit: '×' },
  { name: 'FieldCrypto AES encrypt + index ÷ ciphersweet FIPSCrypto, default index', value: rate(ENCRYPT.fieldAes) / rate(slowFips), unit: '×' },
  { name: 'FieldCrypto AES encrypt + index ÷ ciphersweet BoringCrypto, default index', value: rate(ENCRYPT.fieldAes) / rate(slowBoring), unit: '×' },
  { name: 'FieldCrypto AES decrypt ÷ ciphersweet FIPSCrypto decrypt', value: rate(DECRYPT.fieldAes) / rate('ciphersweet-js FIPSCrypto: decrypt'), unit: '×' },
  { name: 'FieldCrypto AES decrypt ÷ ciphersweet BoringCrypto decrypt', value: rate(DECRYPT.fieldAes) / rate('ciphersweet-js BoringCrypto: decrypt'), unit: '×' },
);

saveReport({
  id: 'field-crypto',
  title: 'Field encryption with blind index',
  method:
    `${RECORDS} generated records, each with a resident ID number, a mobile number and a bank account (${values.length} values), ` +
    `encrypted one value at a time with the field's table, column and row as associated data, plus one blind index per value. ` +
    `tinybench ran each path ${ROUNDS} times after two warm-up rounds; rates come from the median round. FieldCrypto runs as the product calls it ` +
    '(async, data and index keys cached after the first value, envelope text as stored); the raw paths call node:crypto with fixed keys and no encoding. ' +
    `ciphersweet-js's default blind index ran on ${slowValues.length} values per round because it is slow by design.`,
  measurements,
  budgets: [],
  notes: [
    'ciphersweet-js 2.0.6 configuration: one EncryptedField per column with one 128-bit BlindIndex and no transformations; StringProvider key; ' +
      'backends BoringCrypto (its default: XChaCha20 with a BLAKE2b MAC, through sodium-plus, which uses sodium-native when installed) and FIPSCrypto ' +
      '(AES-256-CTR with HMAC-SHA-384 and per-message HKDF). Default blind index (fastHash false): Argon2id with 4 passes over 32 MiB for BoringCrypto, ' +
      'PBKDF2-SHA-384 with 50,000 iterations for FIPSCrypto. Fast blind index: BLAKE2b, or PBKDF2-SHA-384 with one iteration.',
    'FieldCrypto\'s blind index is HMAC-SHA-256 under a per-column key, truncated to 128 bits; exact-match search needs no slow hash because the key stays on the server.',
    'The SM suite derives its SM4 and HMAC-SM3 keys from the data key with HKDF-SM3 on every value (server/src/crypto/cipher-suites.ts); the raw SM path is given both keys.',
  ],
});
