// GET /api/v1/documents/export: the documents matching a filter as JSON lines (one document per line, the
// export columns), streamed batch by batch as the client reads. Filter by query parameters —
// region, court, court_code, judge, form, kind, instance (repeatable or comma-separated), case_number,
// category, from/to (adopted), task_id, q (full text) — or by `filter` (a DocumentFilter as JSON).
// text=true / html=true add the decision's text / HTML. X-Total-Count says how many to expect
// (X-Total-Count-Exact: false when it is the planner's estimate).
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { DocumentFilterInput } from '../services/document-filter.ts';
import { exportDocuments } from '../services/document-export.ts';
import { HttpError, type Route } from './http.ts';

const LISTS = {
  region: 'courtRegions',
  court: 'courtNames',
  court_code: 'courtCodes',
  judge: 'judges',
  form: 'decisionForms',
  kind: 'proceedingForms',
  instance: 'instances',
} as const;

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .nullish()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Query parameters → the service's filter (the service validates every value). */
function filterOf(query: URLSearchParams): DocumentFilterInput {
  let filter: Record<string, unknown> = {};
  const raw = query.get('filter');
  if (raw) {
    try {
      filter = JSON.parse(raw);
    } catch {
      throw new HttpError(422, [{ type: 'value_error', loc: ['query', 'filter'], msg: 'Not JSON' }]);
    }
    if (!filter || typeof filter !== 'object' || Array.isArray(filter))
      throw new HttpError(422, [{ type: 'value_error', loc: ['query', 'filter'], msg: 'Must be a JSON object' }]);
  }
  for (const [param, key] of Object.entries(LISTS)) {
    const values = query.getAll(param).flatMap((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    if (values.length) filter[key] = param === 'court' || param === 'judge' ? query.getAll(param) : values;
  }
  const single = { case_number: 'caseNumber', category: 'caseCategory', task_id: 'taskId' } as const;
  for (const [param, key] of Object.entries(single)) if (query.get(param)) filter[key] = query.get(param);
  if (query.get('from') || query.get('to'))
    filter.adoptedOn = { from: query.get('from') || null, to: query.get('to') || null };
  return filter as DocumentFilterInput;
}

export function documentExportRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/documents/export',
      handle: async (req) => {
        const include = z.object({ text: flag, html: flag }).safeParse({
          text: req.query.get('text'),
          html: req.query.get('html'),
        });
        if (!include.success)
          throw new HttpError(422, [{ type: 'value_error', loc: ['query', 'text'], msg: 'Use true or false' }]);
        const exported = await exportDocuments(req.actor, {
          filter: filterOf(req.query),
          query: req.query.get('q'),
          ...include.data,
        });
        const lines = (async function* () {
          for await (const batch of exported.batches) yield `${batch.map((row) => JSON.stringify(row)).join('\n')}\n`;
        })();
        return {
          headers: {
            'content-type': 'application/x-ndjson; charset=utf-8',
            'x-total-count': String(exported.total),
            'x-total-count-exact': String(exported.totalExact),
            'cache-control': 'no-store',
          },
          stream: Readable.from(lines, { objectMode: false }),
        };
      },
    },
  ];
}
