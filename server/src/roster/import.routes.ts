import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { Locale } from '../i18n/index.js';
import { buildRejectionWorkbook, jobErrorMessage, rejectionMessage } from './import.report.js';
import type { ImportService } from './import.service.js';
import type { ImportJobState } from './import.types.js';

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
const jobParams = z.object({ jobId: z.string().uuid() });

function presentJob(job: ImportJobState, locale: Locale, withRejections: boolean) {
  const { rejections, createdBy: _createdBy, ...summary } = job;
  return {
    ...summary,
    errorMessage: jobErrorMessage(job.errorCode, locale),
    ...(withRejections ? { rejections: rejections.slice(0, 1000).map((rejection) => ({ ...rejection, message: rejectionMessage(rejection, locale) })) } : {}),
  };
}

export function importRoutes({ imports }: { imports: ImportService }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.post('/api/imports', { config: { action: 'client:import' }, schema: { tags: ['imports'], summary: 'Upload a client roster (.xlsx or .csv, multipart field `file`)', consumes: ['multipart/form-data'] } }, async (request, reply) => {
      const auth = requireAuth(request);
      if (!request.isMultipart()) throw new AppError('import_file_missing');
      const file = await request.file({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } });
      if (!file) throw new AppError('import_file_missing');
      const content = await file.toBuffer();
      if (!/\.(xlsx|csv)$/i.test(file.filename)) throw new AppError('roster_file_unsupported');

      const jobId = await imports.start({ content, fileName: file.filename, importer: { subject: auth.subject, ip: request.ip, userAgent: request.headers['user-agent'] } });
      return reply.status(202).send({ jobId });
    });

    routes.get('/api/imports', { config: { action: 'client:import' }, schema: { tags: ['imports'], summary: 'Recent imports' } }, async (request) => {
      const jobs = await imports.list(requireAuth(request).subject);
      return { items: jobs.map((job) => presentJob(job, request.locale, false)) };
    });

    routes.get('/api/imports/:jobId', { config: { action: 'client:import' }, schema: { tags: ['imports'], summary: 'Progress and report of one import', params: jobParams } }, async (request) => {
      const job = await imports.find(request.params.jobId, requireAuth(request).subject);
      if (!job) throw new AppError('not_found');
      return presentJob(job, request.locale, true);
    });

    routes.get('/api/imports/:jobId/report.xlsx', { config: { action: 'client:import' }, schema: { tags: ['imports'], summary: 'The rejected rows as a workbook', params: jobParams } }, async (request, reply) => {
      const job = await imports.find(request.params.jobId, requireAuth(request).subject);
      if (!job) throw new AppError('not_found');
      const workbook = await buildRejectionWorkbook(job, request.locale);
      reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      reply.header('content-disposition', `attachment; filename="import-report-${job.id.slice(0, 8)}.xlsx"`);
      return reply.send(workbook);
    });
  };
}
