// /api/v1/documents content routes: the batch upload a worker makes (prepare, then the parts as multipart
// gzip files) and reading a stored decision's HTML, text or metadata JSON, streamed, with ETag = sha256.
// These routes are new (the older gate had none) and speak the GraphQL API's camelCase field names.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { corpusLimits } from '../corpus/store/index.ts';
import type { ContentPart } from '../corpus/store/types.ts';
import { NotMultipartError, readMultipart } from '../http/multipart.ts';
import { openDocumentPart } from '../services/document-content.ts';
import { MAX_UPLOAD_BATCH, prepareUploads, storeDocuments } from '../services/document-upload.ts';
import { HttpError, type Route } from './http.ts';

const PARTS: Record<string, { part: ContentPart; type: string }> = {
  html: { part: 'html', type: 'text/html; charset=utf-8' },
  text: { part: 'text', type: 'text/plain; charset=utf-8' },
  json: { part: 'metadata', type: 'application/json' },
};

const acceptsGzip = (header: string | null) =>
  (header ?? '').split(',').some((e) => /^\s*gzip\s*(;\s*q=(?!0(\.0+)?\s*$)[\d.]+)?\s*$/i.test(e));

export function documentContentRoutes(): Route[] {
  const reads: Route[] = Object.entries(PARTS).map(([name, { part, type }]) => ({
    method: 'GET',
    path: `/api/v1/documents/:document_id/${name}`,
    handle: async (req) => {
      const { info, body } = await openDocumentPart(req.actor, req.params.document_id, part);
      const etag = `"${info.sha256}"`;
      const common = {
        etag,
        'cache-control': 'private, max-age=0, must-revalidate',
        vary: 'Accept-Encoding',
        // Registry HTML opened in a browser from the gate's own origin must not run: no scripts, an opaque
        // origin (no access to the dashboard's key), and the type as declared.
        'content-security-policy': "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'",
        'x-content-type-options': 'nosniff',
      };
      if ((req.headers.get('if-none-match') ?? '').split(',').some((t) => t.trim() === etag)) {
        body.destroy();
        return { status: 304, headers: common, stream: emptyStream() };
      }
      // The store keeps gzip: passed through to clients that take it, inflated on the way for the others.
      return acceptsGzip(req.headers.get('accept-encoding'))
        ? {
            headers: {
              ...common,
              'content-type': type,
              'content-encoding': 'gzip',
              'content-length': String(info.storedSize),
            },
            stream: body,
          }
        : {
            headers: { ...common, 'content-type': type, 'content-length': String(info.size) },
            stream: body.pipe(createGunzip()),
          };
    },
  }));
  return [
    ...reads,
    {
      method: 'POST',
      path: '/api/v1/documents/uploads',
      body: 'required',
      handle: async (req) => ({ body: await prepareUploads(req.actor, req.body as never) }),
    },
    {
      method: 'POST',
      path: '/api/v1/documents/content',
      body: 'raw',
      handle: async (req) => {
        const max = corpusLimits.maxDocumentBytes;
        const maxTotalBytes = Math.max(32 * 1024 * 1024, 3 * max + 1024 * 1024);
        let form: Awaited<ReturnType<typeof readMultipart>>;
        try {
          form = await readMultipart(req.raw, {
            // A file a part, or every part in one (PARTS_FILE): each part's own limits are checked as it is verified.
            maxFileBytes: maxTotalBytes,
            maxTotalBytes,
            maxFiles: 3 * MAX_UPLOAD_BATCH,
            maxFieldBytes: 1024 * 1024,
          });
        } catch (error) {
          if (error instanceof NotMultipartError) throw new HttpError(415, error.message);
          throw error; // BodyTooLargeError → 413
        }
        const manifest = form.fields.get('manifest');
        if (!manifest)
          throw new HttpError(422, 'the field "manifest" (JSON) is missing; it must come before the files');
        let batch: unknown;
        try {
          batch = JSON.parse(manifest);
        } catch {
          throw new HttpError(422, 'the field "manifest" is not JSON');
        }
        return { body: await storeDocuments(req.actor, batch as never, form.files) };
      },
    },
  ];
}

const emptyStream = () => Readable.from([]);
