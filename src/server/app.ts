/** Builds the Fastify app: plugins, error handling, session resolution, CSRF, modules and the web app. */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AppError } from './errors.js';
import { toFieldIssues } from '../shared/validation.js';
import { ErrorCode, type ErrorBody, type FieldIssue } from '../shared/errors.js';
import type { AppContext } from './context.js';
import { resolveSession, SESSION_COOKIE } from './auth/sessions.js';
import { authRoutes } from './modules/auth/routes.js';
import { associationRoutes } from './modules/associations/routes.js';
import { interventionRoutes } from './modules/interventions/routes.js';
import { reportRoutes } from './modules/reports/routes.js';
import { reportOutputRoutes } from './modules/reports/outputs/routes.js';
import { importRoutes } from './modules/imports/routes.js';
import { configureAuthCache } from './auth/cache.js';
import { configureReportCache } from './modules/reports/cache.js';
import { PROJECT_ROOT } from './paths.js';

const WEB_ROOT = path.join(PROJECT_ROOT, 'dist/web');
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Fastify's wrapped validation errors → field issues. */
function validationIssues(validation: FastifyError['validation']): FieldIssue[] {
  return toFieldIssues(
    (validation ?? []).map((v) => ({
      ...(v.params as object),
      code: v.keyword,
      path: v.instancePath.split('/').filter(Boolean),
      message: v.message,
    })),
  );
}

function errorBody(code: ErrorCode, message: string, issues?: FieldIssue[], retry?: number): ErrorBody {
  return {
    error: { code, message, ...(issues ? { issues } : {}), ...(retry ? { retryAfterSeconds: retry } : {}) },
  };
}

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      ctx.env.LOG_LEVEL === 'silent'
        ? false
        : {
            level: ctx.env.LOG_LEVEL,
            // Never log cookies or credentials.
            redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
          },
    bodyLimit: ctx.env.BODY_LIMIT_BYTES,
    trustProxy: ctx.env.TRUST_PROXY,
    // The router answers a broken %-encoding or an over-long path segment itself, bypassing the
    // error handler; answer in the same format. Such a path names nothing that exists.
    frameworkErrors: (err, _request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      if (err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH')
        return reply.status(404).send(errorBody(ErrorCode.NOT_FOUND, 'Not found'));
      return reply.status(500).send(errorBody(ErrorCode.INTERNAL, 'Internal error'));
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply
        .status(err.status)
        .send(errorBody(err.code, err.message, err.issues, err.retryAfterSeconds));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      // A malformed id in the path names nothing that exists.
      if (err.validationContext === 'params')
        return reply.status(404).send(errorBody(ErrorCode.NOT_FOUND, 'Not found'));
      return reply
        .status(400)
        .send(errorBody(ErrorCode.VALIDATION, 'Invalid input', validationIssues(err.validation)));
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.status(413).send(errorBody(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body too large'));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return reply.status(415).send(errorBody(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send JSON'));
    if (err.statusCode === 429)
      return reply.status(429).send(errorBody(ErrorCode.RATE_LIMITED, 'Too many requests'));
    if (
      err.statusCode === 400 &&
      (err instanceof SyntaxError || /JSON/i.test(err.code ?? '') || /JSON/.test(err.message))
    )
      return reply.status(400).send(errorBody(ErrorCode.MALFORMED_JSON, 'The body is not valid JSON'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return reply.status(err.statusCode).send(errorBody(ErrorCode.VALIDATION, err.message));
    // PostgreSQL refuses U+0000 in text (SQLSTATE 22021). Schemas refuse it with the field named
    // (textSchema); this covers any text field that does not, so such input is never a 500.
    if (err.code === '22021')
      return reply
        .status(400)
        .send(errorBody(ErrorCode.VALIDATION, 'Text contains a character that cannot be stored'));
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody(ErrorCode.INTERNAL, 'Internal error'));
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
      },
    },
    // The OpenAPI document and SPA assets are same-origin; HSTS only makes sense behind https.
    strictTransportSecurity: ctx.env.COOKIE_SECURE,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Samverka API',
        version: ctx.version,
        description: 'API of Samverka. Cookie session + x-csrf-token header.',
      },
    },
    transform: jsonSchemaTransform,
  });

  // In-memory caches (README: REPORT_CACHE_ENTRIES, SESSION_CACHE_SECONDS). Sessions are cached
  // by default only on the embedded database, where this is the only process writing.
  configureReportCache(ctx.db, {
    maxEntries: ctx.env.REPORT_CACHE_ENTRIES,
    maxBytes: ctx.env.REPORT_CACHE_MB * 1_000_000,
  });
  configureAuthCache(ctx.db, (ctx.env.SESSION_CACHE_SECONDS ?? (ctx.dbKind === 'pglite' ? 5 : 0)) * 1000);

  // Session resolution for every API request; authorisation happens in the services.
  app.decorateRequest('user', null);
  app.addHook('preHandler', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const token = request.cookies[SESSION_COOKIE];
    request.user = token
      ? await resolveSession(ctx.db, token, {
          idleMinutes: ctx.env.SESSION_IDLE_MINUTES,
          maxHours: ctx.env.SESSION_MAX_HOURS,
        })
      : null;
    // CSRF: a state-changing request made with a session must echo the session's token in a header,
    // which a cross-site form or image cannot do. The cookie is also SameSite=Lax.
    // Logging in replaces any session the browser still holds, so it needs no token.
    if (!SAFE_METHODS.has(request.method) && request.user && request.routeOptions.url !== '/api/auth/login') {
      if (request.headers['x-csrf-token'] !== request.user.csrfToken)
        throw new AppError(ErrorCode.CSRF, 'Missing or wrong CSRF token');
    }
  });

  app.get('/api/health', { schema: { tags: ['system'] } }, async () => {
    await ctx.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
    return { status: 'ok', database: ctx.dbKind, version: ctx.version };
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(authRoutes(ctx), { prefix: '/api' });
  await app.register(associationRoutes(ctx), { prefix: '/api' });
  await app.register(interventionRoutes(ctx), { prefix: '/api' });
  await app.register(reportRoutes(ctx), { prefix: '/api' });
  await app.register(reportOutputRoutes(ctx), { prefix: '/api' });
  await app.register(importRoutes(ctx), { prefix: '/api' });

  const hasWeb = existsSync(path.join(WEB_ROOT, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: WEB_ROOT, wildcard: false, index: false });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.method !== 'GET' || !hasWeb)
      return reply.status(404).send(errorBody(ErrorCode.NOT_FOUND, 'Not found'));
    // Client-side routes all load the SPA shell.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });

  return app;
}
