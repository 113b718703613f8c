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
    id: t.exposeID('id', { description: "the gate's own id (a UUID)" }),
    documentId: t.exposeString('documentId', {
      description: 'the registry id of the decision, e.g. "13801766": its page is /Review/13801766',
    }),
    metadata: t.expose('metadata', {
      type: 'JSON',
      description:
        "the decision's header as the registry lists it (court, judge, case number, forms, dates), as JSON; the typed fields below read the same data",
    }),
    task: t.relation('task', {
      nullable: true,
      description: 'the task that downloaded it; null when that task is gone or it was imported',
    }),
    client: t.relation('client', { nullable: true, description: 'the worker that downloaded it; null when not known' }),
    sha256: t.exposeString('sha256', {
      nullable: true,
      description: 'sha256 (hex) of its HTML as downloaded; null: recorded without content',
    }),
    sizeBytes: t.exposeInt('sizeBytes', {
      nullable: true,
      description: 'size of its HTML in bytes, uncompressed; null: recorded without content',
    }),
    fetchedAt: t.expose('fetchedAt', {
      type: 'DateTime',
      description: 'when the worker downloaded it from the registry',
    }),
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
    textSha256: t.exposeString('textSha256', {
      nullable: true,
      description: 'sha256 (hex) of its plain text; null: recorded without content',
    }),
    textSizeBytes: t.exposeInt('textSizeBytes', {
      nullable: true,
      description: 'size of its plain text in bytes (UTF-8, uncompressed); null: recorded without content',
    }),
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
    description: 'One document of registerDocuments: its record, and whether it is new.',
    fields: (t) => ({
      document: t.prismaField({
        type: 'Document',
        description: 'the record the gate holds',
        resolve: (_q, r) => r.document,
      }),
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
          description: 'Documents to record by their metadata, and where they came from.',
          fields: (f) => ({
            taskId: f.id({ required: false, description: 'the task they came from, if any' }),
            clientId: f.id({ required: false, description: 'the worker that fetched them, if any' }),
            documents: f.field({
              description: 'up to 1000',
              type: [
                builder.inputType('DocumentInput', {
                  description: 'One document to record.',
                  fields: (d) => ({
                    documentId: d.string({ description: 'its registry id, e.g. "13801766"' }),
                    metadata: d.field({
                      type: 'JSON',
                      required: false,
                      description: "its header fields as the registry's results row shows them (default {})",
                    }),
                    sha256: d.string({ required: false, description: 'sha256 (hex) of its HTML, if it was fetched' }),
                    sizeBytes: d.int({ required: false, description: 'size of its HTML in bytes, if it was fetched' }),
                    fetchedAt: d.field({
                      type: 'DateTime',
                      required: false,
                      description: 'when it was fetched (default: now)',
                    }),
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
