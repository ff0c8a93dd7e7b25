import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';

/**
 * Returns the path of a string in `value` that contains U+0000 (for a key that contains it, the
 * path of its object), or `undefined` when there is none. The walk keeps its own stack, so a
 * deeply nested JSON body cannot overflow the call stack.
 */
export function findNulCharacter(value: unknown, rootPath: string): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: rootPath }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return path;
      continue;
    }
    if (current === null || typeof current !== 'object') continue;

    for (const [key, child] of Object.entries(current)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return path || 'body';
      pending.push({ value: child, path: childPath });
    }
  }
  return undefined;
}

/**
 * Rejects a request whose query, path parameters or JSON body contains U+0000 as invalid input.
 * PostgreSQL text cannot hold that character and fails the whole statement, so a text filter
 * with it returned a 500. No field of this API needs it. Multipart uploads are read later by
 * their handlers and are not checked here.
 */
export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  const path = findNulCharacter(request.query, '') ?? findNulCharacter(request.params, '') ?? findNulCharacter(request.body, '');
  if (path !== undefined) {
    throw new AppError('validation_failed', {}, [{ path: path || 'body', message: 'invalid' }]);
  }
}
