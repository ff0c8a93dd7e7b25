import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { negotiateLocale } from '../i18n/index.js';
import { JSON_BODY_LIMIT, createErrorHandler } from './error-handler.js';
import type { RouteAction } from './http.types.js';
import './http.types.js';
import { rejectNulCharacters } from './nul-characters.js';
import { createRequestGate } from './request-auth.js';
import type { HttpsServerOptions } from './tls-files.js';
import { HSTS_MAX_AGE_SECONDS } from './transport-policy.js';
import type { AuditLog } from '../audit/index.js';
import type { Db } from '../db/index.js';
import type { AuthService, CsrfTokens } from '../identity/index.js';

export interface HttpAppOptions {
  logger: Logger;
  db: Db;
  audit: AuditLog;
  auth: AuthService;
  csrf: CsrfTokens;
  /** Route plugins of the domains; each declares the action of every route it adds. */
  routes: ((app: FastifyInstance) => Promise<void>)[];
  /** Folder of the built web app, or `undefined` to serve the API only. */
  webRoot: string | undefined;
  trustProxy: boolean;
  /** Certificate and key of the built-in HTTPS server; `undefined` serves plain HTTP. */
  https?: HttpsServerOptions | undefined;
  /** Whether responses carry Strict-Transport-Security; see isHstsEnabled. */
  hsts?: boolean | undefined;
}

/** Every route the app registered, with its declared action; the route-table test reads this. */
export interface RouteRecord {
  method: string;
  url: string;
  action: RouteAction | undefined;
}

export async function buildHttpApp(options: HttpAppOptions): Promise<{ app: FastifyInstance; routeTable: RouteRecord[] }> {
  // With `https` Fastify creates a Node https.Server; routes see the same request and reply types.
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    trustProxy: options.trustProxy,
    bodyLimit: JSON_BODY_LIMIT,
    // The default request log carries the URL with its query string, which can hold a searched
    // ID number. The onResponse hook below logs the route pattern instead.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const routeTable: RouteRecord[] = [];

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('locale', 'zh-CN');
  app.decorateRequest('auth', undefined);

  // Deny by default: a route that declares no action stops the server from starting.
  app.addHook('onRoute', (route) => {
    const action = route.config?.action;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routeTable.push({ method, url: route.url, action });
    if (!action) {
      throw new Error(`Route ${methods.join(',')} ${route.url} declares no action; set config.action`);
    }
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Ant Design writes its CSS-in-JS styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Plain HTTP on loopback must keep working; HTTPS deployments add HSTS instead.
        upgradeInsecureRequests: null,
      },
    },
    // Helmet sends HSTS by default, which on plain loopback HTTP would pin localhost to HTTPS.
    hsts: options.hsts ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true, preload: false } : false,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(multipart);
  await app.register(swagger, {
    openapi: { info: { title: 'LedgerGuard API', version: '0.1.0', description: '账安 LedgerGuard HTTP API' }, components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'lg_session' } } } },
    transform: jsonSchemaTransform,
  });

  app.addHook('onRequest', async (request) => {
    request.locale = negotiateLocale(request.headers['accept-language'], request.cookies?.lang);
  });
  // The gate runs before the body is parsed or validated, so an unauthenticated or forged
  // request learns nothing about the route's input schema.
  app.addHook('onRequest', createRequestGate(options));
  // U+0000 in any text input is rejected before validation, because PostgreSQL fails on it.
  app.addHook('preValidation', rejectNulCharacters);
  app.addHook('onSend', async (request, reply) => {
    // Client data must not linger in browser or proxy caches.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  app.setErrorHandler(createErrorHandler(options));
  app.setNotFoundHandler(async () => {
    throw new AppError('not_found');
  });

  app.get('/healthz', { config: { action: 'public' }, schema: { tags: ['system'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get('/api/openapi.json', { config: { action: 'public' }, schema: { hide: true } }, async () => app.swagger());

  for (const register of options.routes) {
    await app.register(register);
  }
  if (options.webRoot && existsSync(path.join(options.webRoot, 'index.html'))) {
    await registerWebApp(app, options.webRoot);
  }

  await app.ready();
  return { app, routeTable };
}

/** Serves the built web app; unknown paths outside /api get index.html so client routes work. */
async function registerWebApp(app: FastifyInstance, root: string): Promise<void> {
  // `preCompressed` sends the .br or .gz copy the build wrote beside a file when the request
  // accepts that encoding (with Vary: accept-encoding), and the file itself otherwise. With
  // `cacheControl` on, the plugin would replace the cache-control header set below by
  // `public, max-age=0`.
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true, cacheControl: false });
  const sendIndex = { config: { action: 'public' as const }, schema: { hide: true } };

  app.get('/', sendIndex, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  app.get('/*', sendIndex, (request, reply) => {
    const wanted = (request.params as { '*': string })['*'];
    if (wanted.startsWith('api/')) {
      throw new AppError('not_found');
    }
    const file = path.normalize(wanted);
    if (!file.startsWith('..') && !path.isAbsolute(file) && existsSync(path.join(root, file)) && file !== '.') {
      const immutable = file.startsWith('assets/');
      return reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').sendFile(file);
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
