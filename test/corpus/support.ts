// Decisions to upload in tests, made from the real fixture pages (their HTML, text and header), and a way
// to send them as a worker or an operator would.
import { ContentClient } from '../../client/corpus/content-client.ts';
import { packDocument, type PackedDocument } from '../../client/corpus/pack.ts';
import { parsePage } from '../../client/registry/parsers/index.ts';
import { sha256Hex } from '../../client/worker/files.ts';
import { FIXTURE_DOCUMENT_IDS, readFixture } from '../fake-registry/fixtures.ts';

export interface FixtureContent {
  html: string;
  text: string;
  metadata: Record<string, unknown>;
}

/** The decision of a fixture page, under `documentId` (a fixture id, or any other id reusing its page). */
export function fixtureContent(documentId: string, source: string = FIXTURE_DOCUMENT_IDS[0]): FixtureContent {
  const page = parsePage(readFixture(`review/${source}.html`));
  if (page.kind !== 'review') throw new Error(`review/${source}.html is not a decision page`);
  const html = Buffer.from(page.html, 'utf8');
  return {
    html: page.html,
    text: page.text,
    metadata: {
      documentId,
      sourceUrl: `https://reyestr.court.gov.ua/Review/${documentId}`,
      fetchedAt: new Date().toISOString(),
      sha256: sha256Hex(html),
      sizeBytes: html.length,
      textSizeBytes: Buffer.byteLength(page.text),
      row: { documentId, courtName: 'Test court' },
      decision: JSON.parse(JSON.stringify(page.metadata)),
      taskId: null,
      page: 1,
    },
  };
}

export async function packedFixture(
  documentId: string,
  { taskId = null, source, html }: { taskId?: string | null; source?: string; html?: string } = {},
): Promise<PackedDocument> {
  const content = fixtureContent(documentId, source);
  const htmlText = html ?? content.html;
  const metadata = { ...content.metadata, taskId, sha256: sha256Hex(Buffer.from(htmlText)) };
  return packDocument(documentId, {
    html: Buffer.from(htmlText),
    text: Buffer.from(content.text),
    metadata: Buffer.from(JSON.stringify(metadata)),
    taskId,
  });
}

export const contentClient = (url: string, key: string) => new ContentClient(url, key);
