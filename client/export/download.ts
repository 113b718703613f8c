/**
 * Reading an export from the gate: GET /api/v1/documents/export streams JSON lines; this turns the body
 * into rows one line at a time (the next chunk is read only when the rows before it are written) and a
 * refused request into the gate's one-line reason.
 */
import { Readable } from 'node:stream';
import type { ExportRow } from '../rules/index.ts';

export interface ExportRequest {
  apiUrl: string;
  apiKey?: string;
  params: URLSearchParams;
}

export class ExportRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ExportResponse {
  total: number | null;
  totalExact: boolean;
  rows: AsyncGenerator<ExportRow>;
}

/** The gate's reason for refusing: FastAPI-style `detail` (a string or a list of {loc, msg}). */
function reasonOf(body: unknown, status: number): string {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail))
    return detail
      .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).filter((p) => p !== 'body').join('.')}: ${d.msg}`)
      .join('; ');
  return `the gate answered HTTP ${status}`;
}

async function* linesOf(body: Readable): AsyncGenerator<ExportRow> {
  let rest = '';
  body.setEncoding('utf8');
  for await (const chunk of body as AsyncIterable<string>) {
    rest += chunk;
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      const line = rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      if (line.trim()) yield JSON.parse(line) as ExportRow;
      newline = rest.indexOf('\n');
    }
  }
  if (rest.trim()) throw new Error('the export ended in the middle of a line (the gate stopped sending)');
}

export async function openExport({ apiUrl, apiKey, params }: ExportRequest): Promise<ExportResponse> {
  const url = new URL(`${apiUrl.replace(/\/+$/, '')}/api/v1/documents/export`);
  url.search = params.toString();
  const response = await fetch(url, { headers: apiKey ? { 'x-api-key': apiKey } : {} });
  if (!response.ok || !response.body) {
    const body = await response.json().catch(() => null);
    throw new ExportRefused(response.status, reasonOf(body, response.status));
  }
  const total = response.headers.get('x-total-count');
  return {
    total: total === null ? null : Number(total),
    totalExact: response.headers.get('x-total-count-exact') !== 'false',
    rows: linesOf(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)),
  };
}
