import type { FastifyInstance } from 'fastify';
import type { HttpCaller } from './matrix-http.js';

/** One query parameter of a route, as the app's OpenAPI document describes it. */
export interface QueryParameter {
  readonly name: string;
  readonly required: boolean;
  readonly schema: { type?: string; enum?: string[]; maximum?: number; minimum?: number; maxLength?: number; default?: unknown; format?: string; pattern?: string };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: (QueryParameter & { in: string })[]; requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
}

/** Reads the app's own OpenAPI document, which the route schemas generate. */
export async function openApiOf(app: FastifyInstance): Promise<OpenApiDocument> {
  const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  return response.json() as OpenApiDocument;
}

/** Returns the query parameters of one operation. `path` takes the OpenAPI form (`/api/clients/{id}`). */
export function queryParametersOf(document: OpenApiDocument, method: string, path: string): QueryParameter[] {
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`The OpenAPI document has no ${method} ${path}`);
  return (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
}

/**
 * How a paged list is read: the page-size parameter and its maximum, a "with total" switch when
 * the list has one, the sort values and the search box. It is taken from the list's query
 * schema and not written down here, so the checks keep working when the paging parameters change.
 */
export interface ListShape {
  readonly sizeParameter: string;
  readonly maxSize: number;
  readonly totalSwitch: string | undefined;
  readonly sortParameter: string | undefined;
  readonly sortValues: readonly string[];
  readonly searchParameter: string | undefined;
}

export function listShapeOf(parameters: readonly QueryParameter[]): ListShape {
  const size = parameters.find((parameter) => /^(pageSize|limit|perPage)$/.test(parameter.name) && parameter.schema.maximum !== undefined);
  if (!size) throw new Error(`No page-size parameter with a maximum among ${parameters.map((parameter) => parameter.name).join(', ')}`);
  const totalSwitch = parameters.find((parameter) => /total/i.test(parameter.name) && parameter.schema.enum?.includes('true'));
  const sort = parameters.find((parameter) => parameter.name === 'sort' && parameter.schema.enum);
  const search = parameters.find((parameter) => parameter.name === 'q');
  return { sizeParameter: size.name, maxSize: size.schema.maximum!, totalSwitch: totalSwitch?.name, sortParameter: sort?.name, sortValues: sort?.schema.enum ?? [], searchParameter: search?.name };
}

export interface ListedPage<Item> {
  readonly items: Item[];
  readonly total: number | null;
  readonly statusCode: number;
  /** Every page's JSON, so that two responses can be compared whole. */
  readonly pages: unknown[];
}

/**
 * Reads every page of a list: it follows `nextCursor` when the list pages by cursor, or counts
 * `page` up while pages come back full. Throws on a status other than 200, with the body.
 */
export async function readWholeList<Item>(caller: HttpCaller, path: string, shape: ListShape, query: Record<string, string> = {}): Promise<ListedPage<Item>> {
  const base = new URLSearchParams({ ...query, [shape.sizeParameter]: String(shape.maxSize), ...(shape.totalSwitch ? { [shape.totalSwitch]: 'true' } : {}) });
  const items: Item[] = [];
  const pages: unknown[] = [];
  let total: number | null = null;
  let next: Record<string, string> | undefined = {};
  let pageNumber = 1;

  while (next) {
    const parameters = new URLSearchParams(base);
    for (const [name, value] of Object.entries(next)) parameters.set(name, value);
    const response = await caller.send('GET', `${path}?${parameters}`);
    if (response.statusCode !== 200) throw new Error(`GET ${path} returned ${response.statusCode}: ${response.body}`);

    const page = response.json() as { items: Item[]; total?: number | null; nextCursor?: string | null };
    pages.push(page);
    items.push(...page.items);
    total ??= typeof page.total === 'number' ? page.total : null;
    pageNumber += 1;
    if ('nextCursor' in page) next = page.nextCursor ? { cursor: page.nextCursor } : undefined;
    else next = page.items.length === shape.maxSize ? { page: String(pageNumber) } : undefined;
  }
  return { items, total, statusCode: 200, pages };
}
