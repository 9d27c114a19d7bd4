/**
 * Routes of the participant import and export. The file is the raw request body (CSV or XLSX, up
 * to 60 MB); the parser for those content types lives in this plugin only.
 */
import { z } from 'zod';
import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../context.js';
import { currentUser } from '../../context.js';
import { requireAccess } from '../../auth/access.js';
import { AppError } from '../../errors.js';
import { ErrorCode } from '../../../shared/errors.js';
import { exportParticipations } from './export.js';
import { csvTemplate, xlsxTemplate } from './template.js';
import { getImportBatch, importParticipations, listImportBatches, undoImportBatch } from './service.js';

/** Accepts files of at least 50 MB, as the issue asks, with some margin. */
export const MAX_IMPORT_BYTES = 60 * 1024 * 1024;

export const IMPORT_CONTENT_TYPES = [
  'text/csv',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  // What Windows browsers report for a .csv when Excel is installed.
  'application/vnd.ms-excel',
  'application/octet-stream',
];

const slug = z.object({ slug: z.string().min(1).max(64) });
const withId = slug.extend({ id: z.uuid() });
const flag = z.enum(['true', 'false']).default('false');

export const importRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx;
    const deps = { db, pnr: ctx.pnr };
    const access = (
      request: Parameters<typeof currentUser>[0],
      s: string,
      p: Parameters<typeof requireAccess>[3],
    ) => requireAccess(db, currentUser(request), s, p);

    app.addContentTypeParser(
      IMPORT_CONTENT_TYPES,
      { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
      (_req, body, done) => done(null, body),
    );
    // Upload problems get a message about the file; everything else goes to the app's handler.
    app.setErrorHandler((err: FastifyError) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        throw new AppError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `Filen är för stor: högst ${MAX_IMPORT_BYTES / 1024 / 1024} MB`,
        );
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
        throw new AppError(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          'Skicka filen som CSV (text/csv) eller Excel (.xlsx)',
        );
      throw err;
    });

    app.post(
      '/associations/:slug/imports',
      {
        bodyLimit: MAX_IMPORT_BYTES,
        schema: {
          tags: ['imports'],
          summary: 'Import participants from a CSV or XLSX file (the raw request body)',
          params: slug,
          querystring: z.object({
            fileName: z.string().trim().min(1).max(255).default('import'),
            dryRun: flag,
            force: flag,
          }),
        },
      },
      async (req, reply) => {
        const scope = await access(req, req.params.slug, 'participants.write');
        if (!Buffer.isBuffer(req.body)) throw AppError.field('file', 'empty_file', 'Filen är tom');
        const result = await importParticipations(deps, scope, req.body, {
          fileName: req.query.fileName,
          dryRun: req.query.dryRun === 'true',
          force: req.query.force === 'true',
        });
        if (!result.ok)
          return reply.status(400).send({
            error: {
              code: ErrorCode.VALIDATION,
              message: `Filen har ${result.errorCount} fel. Ingenting har importerats.`,
              issues: result.errors.map((e) => ({
                path: `${e.row}.${e.column}`,
                code: 'row',
                message: e.message,
              })),
            },
            errors: result.errors,
            errorCount: result.errorCount,
          });
        const { ok: _ok, ...counts } = result;
        return reply.status(result.dryRun ? 200 : 201).send(counts);
      },
    );

    app.get(
      '/associations/:slug/imports/template',
      {
        schema: {
          tags: ['imports'],
          params: slug,
          querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx') }),
        },
      },
      async (req, reply) => {
        const scope = await access(req, req.params.slug, 'participants.write');
        const xlsx = req.query.format === 'xlsx';
        const body = xlsx ? await xlsxTemplate(db, scope) : csvTemplate();
        return reply
          .header(
            'content-type',
            xlsx
              ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
              : 'text/csv; charset=utf-8',
          )
          .header('content-disposition', `attachment; filename="importmall.${req.query.format}"`)
          .send(body);
      },
    );

    app.get('/associations/:slug/imports', { schema: { tags: ['imports'], params: slug } }, async (req) =>
      listImportBatches(db, await access(req, req.params.slug, 'participants.write')),
    );

    app.get(
      '/associations/:slug/imports/:id',
      { schema: { tags: ['imports'], params: withId } },
      async (req) =>
        getImportBatch(db, await access(req, req.params.slug, 'participants.write'), req.params.id),
    );

    app.post(
      '/associations/:slug/imports/:id/undo',
      { schema: { tags: ['imports'], params: withId } },
      async (req) =>
        undoImportBatch(db, await access(req, req.params.slug, 'participants.write'), req.params.id),
    );

    app.get(
      '/associations/:slug/participations/export',
      {
        schema: {
          tags: ['imports'],
          summary: 'Export the participations the caller may see, in the import format (audited)',
          params: slug,
          querystring: z.object({
            format: z.enum(['csv', 'xlsx']).default('xlsx'),
            interventionId: z.uuid().optional(),
          }),
        },
      },
      async (req, reply) => {
        const scope = await access(req, req.params.slug, 'participants.read');
        const result = await exportParticipations({ ...deps, dbKind: ctx.dbKind }, scope, {
          format: req.query.format,
          interventionId: req.query.interventionId,
        });
        return reply
          .header('content-type', result.contentType)
          .header('content-disposition', `attachment; filename="${result.fileName}"`)
          .header('cache-control', 'no-store')
          .send(result.stream);
      },
    );
  };
