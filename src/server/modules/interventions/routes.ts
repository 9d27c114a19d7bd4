/** Routes for insatser, target groups, participations, anonymous counts and referrals. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.js';
import { currentUser } from '../../context.js';
import { requireAccess } from '../../auth/access.js';
import {
  anonymousCountSchema,
  coordinatorsSchema,
  entryCorrectionSchema,
  entrySchema,
  exitSchema,
  interventionCreateSchema,
  interventionUpdateSchema,
  participationFilterSchema,
  referralCreateSchema,
  referralDecisionSchema,
  statusChangeSchema,
  targetGroupSchema,
} from '../../../shared/register-schemas.js';
import { REFERRAL_STATUSES } from '../../../shared/participants.js';
import * as interventions from './service.js';
import * as participants from '../participants/service.js';
import * as referrals from '../referrals/service.js';

const slug = z.object({ slug: z.string().min(1).max(64) });
const withId = slug.extend({ id: z.uuid() });

export const interventionRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx;
    const deps = { db, pnr: ctx.pnr };
    const access = (
      request: Parameters<typeof currentUser>[0],
      s: string,
      p: Parameters<typeof requireAccess>[3],
    ) => requireAccess(db, currentUser(request), s, p);

    // ---- insatser ----
    app.get(
      '/associations/:slug/interventions',
      { schema: { tags: ['interventions'], params: slug } },
      async (req) =>
        interventions.listInterventions(db, await access(req, req.params.slug, 'interventions.read')),
    );
    app.post(
      '/associations/:slug/interventions',
      { schema: { tags: ['interventions'], params: slug, body: interventionCreateSchema } },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await interventions.createIntervention(
              db,
              await access(req, req.params.slug, 'interventions.manage'),
              req.body,
            ),
          ),
    );
    app.get(
      '/associations/:slug/interventions/:id',
      { schema: { tags: ['interventions'], params: withId } },
      async (req) =>
        interventions.getIntervention(
          db,
          await access(req, req.params.slug, 'interventions.read'),
          req.params.id,
        ),
    );
    app.put(
      '/associations/:slug/interventions/:id',
      { schema: { tags: ['interventions'], params: withId, body: interventionUpdateSchema } },
      async (req) =>
        interventions.updateIntervention(
          db,
          await access(req, req.params.slug, 'interventions.manage'),
          req.params.id,
          req.body,
        ),
    );
    app.post(
      '/associations/:slug/interventions/:id/status',
      { schema: { tags: ['interventions'], params: withId, body: statusChangeSchema } },
      async (req) =>
        interventions.changeInterventionStatus(
          db,
          await access(req, req.params.slug, 'interventions.manage'),
          req.params.id,
          req.body.status,
          req.body.date,
        ),
    );
    app.put(
      '/associations/:slug/interventions/:id/coordinators',
      { schema: { tags: ['interventions'], params: withId, body: coordinatorsSchema } },
      async (req) =>
        interventions.setCoordinators(
          db,
          await access(req, req.params.slug, 'interventions.manage'),
          req.params.id,
          req.body.userIds,
        ),
    );

    // ---- target groups ----
    app.get(
      '/associations/:slug/target-groups',
      { schema: { tags: ['interventions'], params: slug } },
      async (req) =>
        interventions.listTargetGroups(db, await access(req, req.params.slug, 'interventions.read')),
    );
    app.post(
      '/associations/:slug/target-groups',
      { schema: { tags: ['interventions'], params: slug, body: targetGroupSchema } },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await interventions.saveTargetGroup(
              db,
              await access(req, req.params.slug, 'interventions.manage'),
              null,
              req.body,
            ),
          ),
    );
    app.put(
      '/associations/:slug/target-groups/:id',
      { schema: { tags: ['interventions'], params: withId, body: targetGroupSchema } },
      async (req) =>
        interventions.saveTargetGroup(
          db,
          await access(req, req.params.slug, 'interventions.manage'),
          req.params.id,
          req.body,
        ),
    );

    // ---- participations (person-level; every read is audited in the service) ----
    app.get(
      '/associations/:slug/interventions/:id/participations',
      { schema: { tags: ['participants'], params: withId, querystring: participationFilterSchema } },
      async (req) =>
        participants.listParticipations(
          deps,
          await access(req, req.params.slug, 'participants.read'),
          req.params.id,
          req.query,
        ),
    );
    app.post(
      '/associations/:slug/participations',
      { schema: { tags: ['participants'], params: slug, body: entrySchema } },
      async (req, reply) => {
        const scope = await access(req, req.params.slug, 'participants.write');
        const created = await participants.registerEntry(deps, scope, req.body);
        return reply
          .status(201)
          .send(await participants.getParticipation(deps, scope, created.id, false, { justCreated: true }));
      },
    );
    app.get(
      '/associations/:slug/participations/:id',
      {
        schema: {
          tags: ['participants'],
          params: withId,
          querystring: z.object({ identify: z.enum(['true', 'false']).default('false') }),
        },
      },
      async (req) =>
        participants.getParticipation(
          deps,
          await access(req, req.params.slug, 'participants.read'),
          req.params.id,
          req.query.identify === 'true',
        ),
    );
    app.post(
      '/associations/:slug/participations/:id/exit',
      { schema: { tags: ['participants'], params: withId, body: exitSchema } },
      async (req) => {
        const scope = await access(req, req.params.slug, 'participants.write');
        await participants.registerExit(deps, scope, req.params.id, req.body);
        return participants.getParticipation(deps, scope, req.params.id, false);
      },
    );
    app.put(
      '/associations/:slug/participations/:id/entry',
      { schema: { tags: ['participants'], params: withId, body: entryCorrectionSchema } },
      async (req) => {
        const scope = await access(req, req.params.slug, 'participants.write');
        await participants.correctEntry(deps, scope, req.params.id, req.body);
        return participants.getParticipation(deps, scope, req.params.id, false);
      },
    );
    app.put(
      '/associations/:slug/participations/:id/exit',
      { schema: { tags: ['participants'], params: withId, body: exitSchema } },
      async (req) => {
        const scope = await access(req, req.params.slug, 'participants.write');
        await participants.correctExit(deps, scope, req.params.id, req.body);
        return participants.getParticipation(deps, scope, req.params.id, false);
      },
    );
    app.post(
      '/associations/:slug/participations/:id/anonymise',
      {
        schema: {
          tags: ['participants'],
          params: withId,
          body: z.strictObject({ reason: z.enum(['consent_withdrawn', 'protected_identity']) }),
        },
      },
      async (req) =>
        // Erases the person across every insats, including ones a coordinator cannot see: admins only.
        participants.anonymisePerson(
          deps,
          await access(req, req.params.slug, 'participants.anonymise'),
          req.params.id,
          req.body.reason,
        ),
    );

    // ---- anonymous participants (counts only) ----
    app.post(
      '/associations/:slug/anonymous-participations',
      { schema: { tags: ['participants'], params: slug, body: anonymousCountSchema } },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await participants.addAnonymousCount(
              db,
              await access(req, req.params.slug, 'participants.write'),
              req.body,
            ),
          ),
    );
    app.get(
      '/associations/:slug/interventions/:id/anonymous-participations',
      { schema: { tags: ['participants'], params: withId } },
      async (req) =>
        participants.listAnonymousCounts(
          db,
          await access(req, req.params.slug, 'participants.read'),
          req.params.id,
        ),
    );

    // ---- referrals and the enrolment group ----
    app.get(
      '/associations/:slug/referrals',
      {
        schema: {
          tags: ['referrals'],
          params: slug,
          querystring: z.object({
            interventionId: z.uuid().optional(),
            status: z.enum(REFERRAL_STATUSES).optional(),
          }),
        },
      },
      async (req) =>
        referrals.listReferrals(deps, await access(req, req.params.slug, 'participants.read'), req.query),
    );
    app.post(
      '/associations/:slug/referrals',
      { schema: { tags: ['referrals'], params: slug, body: referralCreateSchema } },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await referrals.createReferral(
              deps,
              await access(req, req.params.slug, 'participants.write'),
              req.body,
            ),
          ),
    );
    app.post(
      '/associations/:slug/referrals/:id/decision',
      { schema: { tags: ['referrals'], params: withId, body: referralDecisionSchema } },
      async (req) =>
        referrals.decideReferral(
          deps,
          await access(req, req.params.slug, 'participants.write'),
          req.params.id,
          req.body,
        ),
    );
  };
