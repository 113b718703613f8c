// /api/v1/documents: register one decision with its registry metadata (classified), read one back.
import { z } from 'zod';
import { findDocument, registerDocumentWithMetadata, type Classification } from '../services/document-metadata.ts';
import type { Document } from '../services/rows.ts';
import { idSchema } from '../services/ids.ts';
import { clientOf } from './clients.ts';
import { parseBody, type Route } from './http.ts';

const field = (max: number) => z.union([z.string().max(max), z.number().transform(String)]).nullish();

const registration = z.object({
  task_id: idSchema.nullish(),
  search_params: z.record(z.string(), z.unknown()).nullish(),
  metadata: z.object({
    external_id: field(50),
    reg_number: field(50),
    url: field(2000),
    court_name: field(500),
    judge_name: field(500),
    decision_type: field(200),
    decision_date: field(50),
    law_date: field(50),
    case_type: field(200),
    case_number: field(200),
  }),
});

const classificationJson = (c: Classification | null) =>
  c ? { court_region: c.courtRegion, instance_type: c.instanceType, source: c.source } : null;

function documentJson(d: Document) {
  const { classification, ...metadata } = (d.metadata ?? {}) as Record<string, unknown> & {
    classification?: Classification;
  };
  return {
    system_id: d.id,
    external_id: d.documentId,
    reg_number: (metadata.regNumber as string | undefined) ?? d.documentId,
    task_id: d.taskId,
    client_id: d.clientId,
    metadata: Object.fromEntries(
      Object.entries(metadata).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
    ),
    classified: !!classification,
    classification: classificationJson(classification ?? null),
    sha256: d.sha256,
    size_bytes: d.sizeBytes,
    fetched_at: d.fetchedAt,
  };
}

export function documentRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/documents/register',
      body: 'required',
      handle: async (req) => {
        const body = parseBody(registration, req.body);
        const m = body.metadata;
        const client = await clientOf(req).catch(() => null); // documents from a caller without a client are fine
        const { document, created, classification } = await registerDocumentWithMetadata(req.actor, {
          taskId: body.task_id,
          clientId: client?.id ?? null,
          searchParams: body.search_params,
          metadata: {
            externalId: m.external_id,
            regNumber: m.reg_number,
            url: m.url,
            courtName: m.court_name,
            judgeName: m.judge_name,
            decisionType: m.decision_type,
            decisionDate: m.decision_date,
            lawDate: m.law_date,
            caseType: m.case_type,
            caseNumber: m.case_number,
          },
        });
        return {
          body: {
            system_id: document.id,
            external_id: document.documentId,
            reg_number: m.reg_number ?? document.documentId,
            classified: !!classification,
            classification: classificationJson(classification),
            created,
            message: created
              ? `Document ${document.documentId} registered`
              : `Document ${document.documentId} was registered already`,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/documents/:system_id',
      handle: async (req) => ({ body: documentJson(await findDocument(req.params.system_id)) }),
    },
  ];
}
