// Document: a downloaded decision, by the registry's id, with its typed metadata (document-metadata.ts).
// Searching and counting documents: document-search.ts.
import { prisma } from '../db/database.ts';
import { documentPartText } from '../services/document-content.ts';
import * as documents from '../services/documents.ts';
import { parseId } from '../services/ids.ts';
import type { Document } from '../generated/prisma/client.ts';
import { builder } from './builder.ts';
import { DocumentStorageEnum } from './enums.ts';

export const DocumentRef = builder.prismaObject('Document', {
  description: 'A decision downloaded by a worker; documentId is the registry id (/Review/<documentId>).',
  fields: (t) => ({
    id: t.exposeID('id'),
    documentId: t.exposeString('documentId'),
    metadata: t.expose('metadata', { type: 'JSON' }),
    task: t.relation('task', { nullable: true }),
    client: t.relation('client', { nullable: true }),
    sha256: t.exposeString('sha256', { nullable: true }),
    sizeBytes: t.exposeInt('sizeBytes', { nullable: true }),
    fetchedAt: t.expose('fetchedAt', { type: 'DateTime' }),
    storedAt: t.expose('storedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its content reached the document store; null: recorded without content (not downloaded).',
    }),
    storage: t.expose('storage', {
      type: DocumentStorageEnum,
      nullable: true,
      description: 'The store holding its content.',
    }),
    textSha256: t.exposeString('textSha256', { nullable: true }),
    textSizeBytes: t.exposeInt('textSizeBytes', { nullable: true }),
    storedBytes: t.exposeInt('storedBytes', {
      nullable: true,
      description: 'Bytes its HTML, text and metadata take in the store (gzip).',
    }),
    html: t.string({
      nullable: true,
      select: { documentId: true, sha256: true, storedAt: true },
      description: 'The decision as the registry served it (#txtdepository HTML), read from the store when asked for.',
      resolve: (document) => documentPartText(document as Document, 'html'),
    }),
    text: t.string({
      nullable: true,
      select: { documentId: true, sha256: true, storedAt: true },
      description: 'Its plain text (header lines, then the decision), read from the store when asked for.',
      resolve: (document) => documentPartText(document as Document, 'text'),
    }),
  }),
});

const RegisteredDocument = builder
  .objectRef<Awaited<ReturnType<typeof documents.registerDocuments>>[number]>('RegisteredDocument')
  .implement({
    fields: (t) => ({
      document: t.prismaField({ type: 'Document', resolve: (_q, r) => r.document }),
      created: t.exposeBoolean('created', { description: 'false: the gate had it already' }),
    }),
  });

builder.queryFields((t) => ({
  document: t.prismaField({
    type: 'Document',
    nullable: true,
    description: 'By the gate id (UUID) or the registry documentId.',
    args: { id: t.arg.id() },
    resolve: (query, _p, args) => {
      const id = args.id;
      return /^\d+$/.test(id)
        ? prisma.document.findUnique({ ...query, where: { documentId: id } })
        : prisma.document.findUnique({ ...query, where: { id: parseId(id) } });
    },
  }),
  knownDocumentIds: t.stringList({
    description: 'Which of these registry ids the gate has already: fetch only the others.',
    args: { documentIds: t.arg.stringList() },
    resolve: (_p, args, ctx) => documents.knownDocumentIds(ctx.actor, args.documentIds),
  }),
}));

builder.mutationFields((t) => ({
  registerDocuments: t.field({
    type: [RegisteredDocument],
    authScopes: { reader: true },
    description:
      'Records documents by metadata only (up to 1000); already known ids are left as they are. Such a document has no content and does not count as downloaded: workers store decisions with their content (POST /api/v1/documents/uploads, then /api/v1/documents/content).',
    deprecationReason: 'Workers store documents with their content (REST /api/v1/documents/uploads and /content).',
    args: {
      input: t.arg({
        type: builder.inputType('RegisterDocumentsInput', {
          fields: (f) => ({
            taskId: f.id({ required: false }),
            clientId: f.id({ required: false }),
            documents: f.field({
              type: [
                builder.inputType('DocumentInput', {
                  fields: (d) => ({
                    documentId: d.string(),
                    metadata: d.field({ type: 'JSON', required: false }),
                    sha256: d.string({ required: false }),
                    sizeBytes: d.int({ required: false }),
                    fetchedAt: d.field({ type: 'DateTime', required: false }),
                  }),
                }),
              ],
            }),
          }),
        }),
      }),
    },
    resolve: (_p, { input }, ctx) =>
      documents.registerDocuments(ctx.actor, {
        taskId: input.taskId ?? null,
        clientId: input.clientId ?? null,
        documents: input.documents.map((d) => ({ ...d, metadata: (d.metadata ?? {}) as Record<string, unknown> })),
      }),
  }),
}));
