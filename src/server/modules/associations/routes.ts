/** Routes under /api/associations/:slug. Thin: auth → validate → service. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.js';
import { currentUser } from '../../context.js';
import { requireAccess, requireSystemAdmin } from '../../auth/access.js';
import {
  associationCreateSchema,
  associationUpdateSchema,
  contributionInputSchema,
  memberInputSchema,
  userCreateSchema,
  userUpdateSchema,
} from '../../../shared/schemas.js';
import * as associations from './service.js';
import * as members from '../members/service.js';
import * as contributions from '../contributions/service.js';
import * as users from '../users/service.js';
import { listAudit } from '../../audit/audit.js';
import { listAllAssociations } from './repo.js';

const slugParams = z.object({ slug: z.string().min(1).max(64) });
const memberParams = slugParams.extend({ memberId: z.uuid() });
const userParams = slugParams.extend({ userId: z.uuid() });
const yearParams = slugParams.extend({ year: z.coerce.number().int().min(2004).max(2200) });
const yearQuery = z.object({ year: z.coerce.number().int().min(2004).max(2200).optional() });

export const associationRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx;
    const thisYear = () => new Date().getFullYear();

    app.get('/associations', { schema: { tags: ['associations'] } }, async (request) => {
      requireSystemAdmin(currentUser(request));
      return (await listAllAssociations(db)).map(associations.toAssociationDto);
    });

    app.post(
      '/associations',
      { schema: { tags: ['associations'], body: associationCreateSchema } },
      async (request, reply) => {
        const user = currentUser(request);
        requireSystemAdmin(user);
        return reply.status(201).send(await associations.createAssociation(db, user.userId, request.body));
      },
    );

    app.get(
      '/associations/:slug/overview',
      { schema: { tags: ['associations'], params: slugParams, querystring: yearQuery } },
      async (request) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'association.read');
        return associations.getOverview(db, scope, request.query.year ?? thisYear());
      },
    );

    app.put(
      '/associations/:slug',
      { schema: { tags: ['associations'], params: slugParams, body: associationUpdateSchema } },
      async (request) => {
        const scope = await requireAccess(
          db,
          currentUser(request),
          request.params.slug,
          'association.manage',
        );
        return associations.updateAssociation(db, scope, request.body);
      },
    );

    app.get(
      '/associations/:slug/members',
      { schema: { tags: ['members'], params: slugParams } },
      async (request) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'association.read');
        return members.listMembers(db, scope);
      },
    );

    app.post(
      '/associations/:slug/members',
      { schema: { tags: ['members'], params: slugParams, body: memberInputSchema } },
      async (request, reply) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'members.manage');
        return reply.status(201).send(await members.addMember(db, scope, request.body));
      },
    );

    app.put(
      '/associations/:slug/members/:memberId',
      { schema: { tags: ['members'], params: memberParams, body: memberInputSchema } },
      async (request) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'members.manage');
        return members.editMember(db, scope, request.params.memberId, request.body);
      },
    );

    app.delete(
      '/associations/:slug/members/:memberId',
      { schema: { tags: ['members'], params: memberParams } },
      async (request, reply) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'members.manage');
        await members.removeMember(db, scope, request.params.memberId);
        return reply.status(204).send();
      },
    );

    app.get(
      '/associations/:slug/contributions/:year',
      { schema: { tags: ['contributions'], params: yearParams } },
      async (request) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'association.read');
        return contributions.getContributionYear(db, scope, request.params.year);
      },
    );

    app.put(
      '/associations/:slug/contributions/:year',
      { schema: { tags: ['contributions'], params: yearParams, body: contributionInputSchema } },
      async (request) => {
        const scope = await requireAccess(
          db,
          currentUser(request),
          request.params.slug,
          'contributions.manage',
        );
        return contributions.setContributionYear(db, scope, request.params.year, request.body);
      },
    );

    app.get(
      '/associations/:slug/users',
      { schema: { tags: ['users'], params: slugParams } },
      async (request) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'users.read');
        return users.listAssociationUsers(db, scope);
      },
    );

    app.post(
      '/associations/:slug/users',
      { schema: { tags: ['users'], params: slugParams, body: userCreateSchema } },
      async (request, reply) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'users.manage');
        return reply.status(201).send(await users.createUser(db, scope, request.body));
      },
    );

    app.put(
      '/associations/:slug/users/:userId',
      { schema: { tags: ['users'], params: userParams, body: userUpdateSchema } },
      async (request) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'users.manage');
        return users.updateUser(db, scope, request.params.userId, request.body);
      },
    );

    app.delete(
      '/associations/:slug/users/:userId',
      { schema: { tags: ['users'], params: userParams } },
      async (request, reply) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'users.manage');
        await users.removeUser(db, scope, request.params.userId);
        return reply.status(204).send();
      },
    );

    app.get(
      '/associations/:slug/audit',
      {
        schema: {
          tags: ['audit'],
          params: slugParams,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            before: z
              .string()
              .regex(/^\d{1,18}$/)
              .optional(),
          }),
        },
      },
      async (request) => {
        const scope = await requireAccess(db, currentUser(request), request.params.slug, 'audit.read');
        return listAudit(db, {
          associationId: scope.associationId,
          limit: request.query.limit,
          before: request.query.before,
        });
      },
    );
  };
