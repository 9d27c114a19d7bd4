/** Routes: report files (PDF, XLSX). */
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../../context.js';
import { currentUser } from '../../../context.js';
import { requireAccess } from '../../../auth/access.js';
import { parseReportQuery, reportQuerySchema } from '../routes.js';
import { attachment } from './format.js';
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
  };
