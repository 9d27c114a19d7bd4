/** Routes: report files (PDF, XLSX), the national export and the cross-association comparison. */
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../context.js';
import { currentUser } from '../../../context.js';
import { requireAccess } from '../../../auth/access.js';
import { AppError } from '../../../errors.js';
import { dateSchema } from '../../../../shared/register-schemas.js';
import { periodSchema } from '../../../../shared/report-schemas.js';
import { parseReportQuery, reportQuerySchema } from '../routes.js';
import { attachment } from './format.js';
import { compareAssociations } from './compare.js';
import { nationalExport } from './national.js';
import { outcomeDocument, renderReportFile, reportDocument, type ReportFileFormat } from './service.js';

const slug = z.object({ slug: z.string().min(1).max(64) });
const withId = slug.extend({ id: z.uuid() });
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

function sendFile(reply: FastifyReply, file: { body: Buffer; fileName: string; contentType: string }) {
  return (
    reply
      .header('content-type', file.contentType)
      .header('content-disposition', attachment(file.fileName))
      // The file may hold unprotected small counts: never keep it in a shared cache.
      .header('cache-control', 'no-store')
      .send(file.body)
  );
}

export const reportOutputRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx;
    const access = (request: Parameters<typeof currentUser>[0], s: string) =>
      requireAccess(db, currentUser(request), s, 'reports.read');

    for (const format of ['pdf', 'xlsx'] as const satisfies readonly ReportFileFormat[]) {
      app.get(
        `/associations/:slug/reports/outcomes.${format}`,
        {
          schema: {
            tags: ['reports'],
            summary: `Live outcome figures for a period and filter as ${format.toUpperCase()} (same query as /reports/outcomes)`,
            params: slug,
            querystring: reportQuerySchema,
          },
        },
        async (req, reply) => {
          const scope = await access(req, req.params.slug);
          const doc = await outcomeDocument(db, scope, parseReportQuery(req.query));
          return sendFile(reply, await renderReportFile(doc, format));
        },
      );
      app.get(
        `/associations/:slug/reports/:id/${format}`,
        {
          schema: {
            tags: ['reports'],
            summary: `A report document with its analysis as ${format.toUpperCase()}`,
            params: withId,
            querystring: z.object({ public: bool.optional() }),
          },
        },
        async (req, reply) => {
          const scope = await access(req, req.params.slug);
          const doc = await reportDocument(db, scope, req.params.id, { public: req.query.public });
          return sendFile(reply, await renderReportFile(doc, format));
        },
      );
    }

    app.get(
      '/associations/:slug/exports/national',
      {
        schema: {
          tags: ['exports'],
          summary: 'Participants per insats and year by sex for Uppföljning Finsam (always protected)',
          params: slug,
          querystring: z.object({
            year: z.coerce.number().int().min(2004).max(2200),
            format: z.enum(['csv', 'xlsx']).default('csv'),
          }),
        },
      },
      async (req, reply) => {
        const scope = await access(req, req.params.slug);
        return sendFile(reply, await nationalExport(db, scope, req.query));
      },
    );

    app.get(
      '/reports/compare',
      {
        schema: {
          tags: ['reports'],
          summary: 'Key figures of every association side by side (system administrator; always protected)',
          querystring: z.object({ from: dateSchema, to: dateSchema }),
        },
      },
      async (req) => {
        const user = currentUser(req);
        const period = periodSchema.safeParse({ from: req.query.from, to: req.query.to });
        if (!period.success)
          throw AppError.field(
            'to',
            'before_start',
            'The period ends before it starts (or is longer than 20 years)',
          );
        return compareAssociations(db, user, period.data);
      },
    );
  };
