import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RequestContext } from '../clients/client.service.js';
import { AppError } from '../errors/index.js';
import { requireAuth } from '../http/request-auth.js';
import type { ActiveSession } from '../identity/index.js';
import { DOCUMENT_SORTS } from './document-list.js';
import type { Delivery, DocumentService } from './document.service.js';

type StepUpCheck = (session: ActiveSession) => Promise<void>;

const clientParams = z.object({ id: z.string().min(1).max(64) });
const documentParams = z.object({ id: z.string().min(1).max(64), documentId: z.string().uuid() });
const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  sort: z.enum(DOCUMENT_SORTS).default('-uploadedAt'),
});
const deliveryBody = z.object({ reason: z.string().max(500).default('') });

function contextOf(request: FastifyRequest, stepUp?: StepUpCheck): RequestContext {
  const { subject, session } = requireAuth(request);
  return { subject, locale: request.locale, ip: request.ip, userAgent: request.headers['user-agent'], ...(stepUp ? { assertRecentSecondFactor: () => stepUp(session) } : {}) };
}

/** RFC 6266 with an RFC 5987 UTF-8 name, so Chinese file names survive; the ASCII fallback drops the rest. */
function contentDisposition(kind: 'attachment' | 'inline', fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function documentRoutes({ documents, stepUp }: { documents: DocumentService; stepUp: StepUpCheck }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get('/api/clients/:id/documents', { config: { action: 'client:read' }, schema: { tags: ['documents'], summary: 'A client’s documents in the categories the caller may see', params: clientParams, querystring: listQuery } }, async (request) => {
      return documents.list({ clientId: request.params.id, query: request.query, context: contextOf(request) });
    });

    routes.post(
      '/api/clients/:id/documents',
      { config: { action: 'document:upload' }, schema: { tags: ['documents'], summary: 'Upload a document (multipart: field `category`, then field `file`)', params: clientParams, consumes: ['multipart/form-data'] } },
      async (request, reply) => {
        const context = contextOf(request);
        const client = await documents.authorizeUploadOrThrow(request.params.id, context);
        if (!request.isMultipart()) throw new AppError('document_file_missing', {}, [{ path: 'file', message: 'issue.required' }]);

        // One byte over the limit reaches the store, which then rejects the upload; busboy would otherwise cut the file silently.
        const file = await request.file({ limits: { fileSize: documents.maxBytes + 1, files: 1, fields: 4 } });
        if (!file) throw new AppError('document_file_missing', {}, [{ path: 'file', message: 'issue.required' }]);
        const categoryField = file.fields.category;
        const category = categoryField && 'value' in categoryField ? String(categoryField.value) : '';

        const created = await documents.upload({ client, category, fileName: file.filename, source: file.file, context });
        return reply.status(201).send(created);
      },
    );

    const deliver = (delivery: Delivery) => async (request: FastifyRequest<{ Params: z.infer<typeof documentParams>; Body: z.infer<typeof deliveryBody> }>, reply: import('fastify').FastifyReply) => {
      const output = await documents.deliver({ clientId: request.params.id, documentId: request.params.documentId, reason: request.body.reason, delivery, context: contextOf(request, stepUp) });
      reply.header('cache-control', 'no-store');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-document-watermarked', output.watermarked ? '1' : '0');
      reply.header('content-type', output.mediaType);
      reply.header('content-disposition', contentDisposition(delivery === 'download' ? 'attachment' : 'inline', output.fileName));
      return reply.send(output.body);
    };

    routes.post('/api/clients/:id/documents/:documentId/download', { config: { action: 'client:reveal' }, schema: { tags: ['documents'], summary: 'Download a document with a reason and a recent second factor (audited; PDFs and images watermarked)', params: documentParams, body: deliveryBody } }, deliver('download'));

    routes.post('/api/clients/:id/documents/:documentId/preview', { config: { action: 'client:reveal' }, schema: { tags: ['documents'], summary: 'Preview a watermarked PDF or image with a reason and a recent second factor (audited)', params: documentParams, body: deliveryBody } }, deliver('preview'));
  };
}
