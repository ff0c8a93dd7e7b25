import type { FastifyInstance } from 'fastify';
import { hasPermission, loadSubjectSnapshot } from '../access/index.js';
import type { Db } from '../db/index.js';
import { requireAuth } from '../http/request-auth.js';
import { findSession } from '../identity/session.repository.js';
import type { AlertChange, AlertFeed } from './alert-feed.js';

/** Comment line proxies and browsers see while no alert changes, so idle connections are not cut. */
const HEARTBEAT_MS = 15_000;
/** How often an open stream checks that its session still exists and still has the permission. */
const SESSION_CHECK_MS = 30_000;

/**
 * Registers `GET /api/security/alerts/stream`: server-sent events, `event: alert` with the
 * alert's JSON whenever one is raised, repeated or changes status. The request passes the usual
 * gate (session, permission) once. Afterwards the stream re-checks the session periodically
 * without extending it. An open dashboard therefore ends with a sign-out or a revoked
 * permission, and it never keeps an idle session alive. No database connection is held between
 * checks and polls.
 */
export function registerAlertStream(app: FastifyInstance, { db, feed, heartbeatMs = HEARTBEAT_MS, sessionCheckMs = SESSION_CHECK_MS }: { db: Db; feed: AlertFeed; heartbeatMs?: number | undefined; sessionCheckMs?: number | undefined }): void {
  const openStreams = new Set<() => void>();
  // Open streams never end by themselves; the server's close must end them or it waits forever.
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });

  app.get('/api/security/alerts/stream', { config: { action: 'security:manage' }, schema: { tags: ['security'], summary: 'Live alert changes as server-sent events' } }, async (request, reply) => {
    const { session, subject } = requireAuth(request);
    const after = parseEventId(request.headers['last-event-id']);

    reply.hijack();
    const raw = reply.raw;
    // Headers the app's hooks set so far (security headers) still go out on the hijacked response.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) raw.setHeader(name, value);
    }
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // nginx buffers proxied responses unless this header turns buffering off, which would delay events.
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const write = (text: string) => {
      if (!raw.destroyed && !raw.writableEnded) raw.write(text);
    };
    write('retry: 3000\n: connected\n\n');

    // Hijacked replies skip the app's response log, so the stream logs its own start and end.
    const openedAt = Date.now();
    request.log.info({ route: request.routeOptions.url, userId: subject.userId, resumedAfter: after }, 'alert stream opened');

    let unsubscribe: (() => void) | undefined;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      request.log.info({ route: request.routeOptions.url, userId: subject.userId, ms: Date.now() - openedAt }, 'alert stream closed');
      clearInterval(heartbeat);
      clearInterval(sessionCheck);
      unsubscribe?.();
      openStreams.delete(end);
      if (!raw.writableEnded) raw.end();
    };
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    const sessionCheck = setInterval(() => {
      isStillAllowed(db, session.idHash, subject.userId).then(
        (allowed) => allowed || end(),
        (error: unknown) => {
          request.log.error({ err: error }, 'alert stream session check failed');
          end();
        },
      );
    }, sessionCheckMs);
    heartbeat.unref();
    sessionCheck.unref();
    openStreams.add(end);
    request.raw.on('close', end);

    try {
      unsubscribe = await feed.subscribe((change) => write(formatChange(change)), { after });
    } catch (error) {
      request.log.error({ err: error }, 'alert stream subscription failed');
      end();
      return;
    }
    if (ended) unsubscribe();
  });
}

function formatChange(change: AlertChange): string {
  return `id: ${change.revision}\nevent: alert\ndata: ${JSON.stringify(change.alert)}\n\n`;
}

/** Returns the revision a reconnecting browser saw last (`Last-Event-ID`), or `undefined`. */
function parseEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

async function isStillAllowed(db: Db, sessionIdHash: string, userId: string): Promise<boolean> {
  const session = await findSession(db, sessionIdHash);
  const now = new Date().toISOString();
  if (!session || session.idleExpiresAt <= now || session.absoluteExpiresAt <= now) return false;

  const subject = await loadSubjectSnapshot(db, userId);
  return subject !== undefined && hasPermission(subject, 'security:manage');
}
