import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.js';
import { currentUser } from '../../context.js';
import { loginSchema, passwordChangeSchema } from '../../../shared/schemas.js';
import { changePassword, listMemberships, login } from '../../auth/service.js';
import { deleteSession, SESSION_COOKIE } from '../../auth/sessions.js';
import { recordAudit } from '../../audit/audit.js';

export const authRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const policy = {
      idleMinutes: ctx.env.SESSION_IDLE_MINUTES,
      maxHours: ctx.env.SESSION_MAX_HOURS,
      maxFailures: ctx.env.LOGIN_MAX_FAILURES,
    };
    const cookieOptions = {
      path: '/',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: ctx.env.COOKIE_SECURE,
      maxAge: ctx.env.SESSION_MAX_HOURS * 3600,
    };

    app.post(
      '/auth/login',
      {
        schema: { tags: ['auth'], body: loginSchema },
        // Per-IP limit on top of the per-address back-off in the service.
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      },
      async (request, reply) => {
        const { token, csrfToken } = await login(ctx.db, request.body.email, request.body.password, policy);
        // The browser's previous session (if any) ends: one login, one session.
        if (request.user) await deleteSession(ctx.db, request.user.sessionId);
        reply.setCookie(SESSION_COOKIE, token, cookieOptions);
        return { csrfToken };
      },
    );

    app.post('/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
      if (request.user) {
        await deleteSession(ctx.db, request.user.sessionId);
        await recordAudit(ctx.db, {
          associationId: null,
          actorUserId: request.user.userId,
          action: 'auth.logout',
          entityType: 'user',
          entityId: request.user.userId,
        });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    });

    /** Who am I: the user, the CSRF token for this session, and the associations the user can open. */
    app.get('/session', { schema: { tags: ['auth'] } }, async (request) => {
      const user = currentUser(request, { allowPasswordChange: true });
      return {
        user: {
          id: user.userId,
          email: user.email,
          name: user.name,
          isSystemAdmin: user.isSystemAdmin,
          mustChangePassword: user.mustChangePassword,
        },
        csrfToken: user.csrfToken,
        associations: await listMemberships(ctx.db, user),
      };
    });

    app.post(
      '/auth/password',
      { schema: { tags: ['auth'], body: passwordChangeSchema } },
      async (request, reply) => {
        const user = currentUser(request, { allowPasswordChange: true });
        await changePassword(ctx.db, user, request.body.currentPassword, request.body.newPassword);
        return reply.status(204).send();
      },
    );
  };
