import fc from 'fast-check';
import { JSON_BODY_LIMIT } from '../../src/http/error-handler.js';

/** The subset of JSON Schema that the app's zod schemas produce in its OpenAPI document. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
}

/** A request body exactly as sent: the text and its content type (JSON text is built by hand so keys such as `__proto__` stay literal). */
export interface RawBody {
  readonly text: string;
  readonly contentType: string;
}

/** Keys that pollute prototypes in code that merges parsed objects carelessly. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
const POLLUTION = { polluted: 'yes', isAdmin: true, roles: ['partner'] };

/** A padding length that puts a JSON body just over the largest one the app accepts. */
const OVERSIZED_LENGTH = JSON_BODY_LIMIT + 16;

/** Values next to a schema's edges and outside its types: what careless input handling trips over. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    -0,
    1.5,
    2 ** 31,
    2 ** 53 + 1,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    1e308,
    '',
    ' ',
    '0',
    'null',
    'true',
    '1e309',
    "' OR 1=1 --",
    '"; DROP TABLE clients; --',
    '%_!\\',
    '../../../etc/passwd',
    '<script>alert(1)</script>',
    '\u0000',
    '\ud800',
    '\u202e\u0661\u0662',
    'Ａｂｃ１２３',
    '𠮷野家😀',
    '00000000-0000-0000-0000-000000000000',
    '2026-02-30T25:61:00Z',
    [],
    {},
    [[[[[]]]]],
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 600 }),
  fc.constant('长'.repeat(5000)),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

/** Generates values that the schema accepts, or nearly, kept small so that a run stays fast. */
export function validish(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!schema || Object.keys(schema).length === 0) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => validish(alternative)));

  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1_000_000, Number.MIN_SAFE_INTEGER), max: Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validish(schema.items), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object':
      return objectFor(schema, validish);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
    case 'email':
      return fc.emailAddress();
    default: {
      const minLength = schema.minLength ?? 0;
      return fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 40, 40)) });
    }
  }
}

/** Generates objects with the schema's properties: required ones always, optional ones sometimes. */
function objectFor(schema: JsonSchema, valueOf: (schema: JsonSchema | undefined) => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(properties).map(([key, property]) => (required.has(key) ? valueOf(property).map((value) => [[key, value]]) : fc.option(valueOf(property), { nil: undefined }).map((value) => (value === undefined ? [] : [[key, value]]))));
  const extra = typeof schema.additionalProperties === 'object' ? fc.dictionary(fc.string({ maxLength: 12 }), valueOf(schema.additionalProperties), { maxKeys: 3 }) : fc.constant({});
  return fc.tuple(fc.tuple(...entries), extra).map(([chosen, more]) => Object.fromEntries([...chosen.flat(), ...Object.entries(more as Record<string, unknown>)]));
}

/**
 * Generates objects shaped like the schema whose values are each valid, hostile or missing,
 * with now and then a key that would reach `Object.prototype` through a careless merge.
 */
function adjacentEntries(schema: JsonSchema): fc.Arbitrary<[string, unknown][]> {
  const properties = Object.entries(schema.properties ?? {});
  const perProperty = properties.map(([key, property]) =>
    fc.oneof(
      { weight: 4, arbitrary: validish(property).map((value) => [[key, value]] as [string, unknown][]) },
      { weight: 1, arbitrary: nastyValue.map((value) => [[key, value]] as [string, unknown][]) },
      { weight: 1, arbitrary: fc.constant([] as [string, unknown][]) },
    ),
  );
  const polluting = fc.subarray(PROTOTYPE_KEYS).map((keys) => keys.map((key) => [key, key === 'constructor' ? { prototype: POLLUTION } : POLLUTION] as [string, unknown]));
  return fc.tuple(fc.tuple(...perProperty), polluting).map(([chosen, extra]) => [...chosen.flat(), ...extra]);
}

/** Serializes entries as a JSON object, keeping every key literal (`JSON.stringify` of an object would lose `__proto__`). */
function jsonObjectText(entries: readonly [string, unknown][]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}

const JSON_TYPE = 'application/json';

/** Bodies that are not JSON of any shape, or JSON the parser must refuse. */
const oddBody: fc.Arbitrary<RawBody> = fc.oneof(
  fc.constantFrom<RawBody>(
    { text: '', contentType: JSON_TYPE },
    { text: '{', contentType: JSON_TYPE },
    { text: '{"a":1,}', contentType: JSON_TYPE },
    { text: 'null', contentType: JSON_TYPE },
    { text: '[]', contentType: JSON_TYPE },
    { text: '"text"', contentType: JSON_TYPE },
    { text: '1e999', contentType: JSON_TYPE },
    { text: '{"__proto__":{"polluted":"yes"}}', contentType: JSON_TYPE },
    { text: '{"constructor":{"prototype":{"polluted":"yes"}}}', contentType: JSON_TYPE },
    { text: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, contentType: JSON_TYPE },
    { text: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    { text: 'plain words', contentType: 'text/plain' },
    { text: '<a>1</a>', contentType: 'application/xml' },
    { text: '{"a":1}', contentType: 'application/json; charset=utf-16' },
    { text: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
  ),
  fc.constant({ text: JSON.stringify({ padding: 'x'.repeat(OVERSIZED_LENGTH) }), contentType: JSON_TYPE }),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ text, contentType: JSON_TYPE })),
);

/** Generates every kind of body for a route: schema-adjacent, near-valid, any JSON at all, and odd ones. */
export function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<RawBody> {
  const asJson = (value: unknown): RawBody => ({ text: JSON.stringify(value) ?? 'null', contentType: JSON_TYPE });
  const shaped = schema?.properties ? [{ weight: 5, arbitrary: adjacentEntries(schema).map((entries) => ({ text: jsonObjectText(entries), contentType: JSON_TYPE })) }] : [];
  return fc.oneof(
    ...shaped,
    { weight: 3, arbitrary: validish(schema).map(asJson) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(asJson) },
    { weight: 1, arbitrary: adjacentEntries({}).map((entries) => ({ text: jsonObjectText(entries), contentType: JSON_TYPE })) },
    { weight: 2, arbitrary: oddBody },
  );
}

export interface QueryParameterSpec {
  readonly name: string;
  readonly schema: JsonSchema;
}

/**
 * Generates query strings over the route's parameters. Some keep every parameter valid or left
 * out, so that they reach the handler. The others leave each parameter out or make it valid,
 * hostile or repeated, and add stray and polluting keys.
 */
export function queryFor(parameters: readonly QueryParameterSpec[]): fc.Arbitrary<string> {
  const encode = (value: unknown) => encodeText(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  const valid = fc.tuple(...parameters.map(({ name, schema }) => fc.option(validish(schema).map((value) => `${name}=${encode(value)}`), { nil: undefined, freq: 3 }))).map((chosen) => chosen.filter((pair) => pair !== undefined).join('&'));
  const perParameter = parameters.map(({ name, schema }) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant([] as string[]) },
      { weight: 3, arbitrary: validish(schema).map((value) => [`${name}=${encode(value)}`]) },
      { weight: 2, arbitrary: nastyValue.map((value) => [`${name}=${encode(value)}`]) },
      { weight: 1, arbitrary: fc.tuple(validish(schema), nastyValue).map(([first, second]) => [`${name}=${encode(first)}`, `${name}=${encode(second)}`]) },
      { weight: 1, arbitrary: fc.constant([`${name}[]=1`, `${name}[x]=2`]) },
    ),
  );
  const stray = fc.subarray(['__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes', '__proto__=x', 'unexpected=1', '%ZZ=1', 'a=%E0%A4%A']);
  const hostile = fc.tuple(fc.tuple(...perParameter), stray).map(([chosen, extra]) => [...chosen.flat(), ...extra].join('&'));
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 3, arbitrary: hostile });
}

/** Percent-encodes text for a URL. A lone surrogate has no UTF-8 form, so it becomes U+FFFD, as a browser would send it. */
function encodeText(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

/** Generates a path segment: the fixture's id most of the time, otherwise something that no id looks like. */
export function pathSegmentFor(fixture: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(fixture) },
    { weight: 1, arbitrary: nastyValue.map((value) => encodeText(typeof value === 'string' && value !== '' ? value.slice(0, 90) : String(JSON.stringify(value)).slice(0, 90))) },
  );
}

/** Collects every string inside a value, so that a check can tell text the server echoed from text it leaked. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsIn(inner)]);
  return value === undefined || value === null ? [] : [String(value)];
}
