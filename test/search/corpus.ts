// The real fixture decisions as a small searchable corpus: each registered the way a worker registers it
// (results row + decision page header), its content (HTML, text, metadata) uploaded through the gate's
// content route, then indexed by the search indexer's own drain (indexQueuedDocuments).
import { parsePage } from '../../client/registry/parsers/index.ts';
import type { DecisionPage } from '../../client/registry/parsers/decision.ts';
import { prisma } from '../../server/db/database.ts';
import { ContentClient } from '../../client/corpus/content-client.ts';
import { packDocument } from '../../client/corpus/pack.ts';
import { uploadBatch } from '../../client/corpus/upload.ts';
import { indexQueuedDocuments } from '../../server/services/search-indexer.ts';
import { readFixture } from '../fake-registry/fixtures.ts';
import { ADMIN_KEY, type TestGate } from '../support/gate.ts';

/** What the results row said about each fixture decision (the results fixture lists other decisions). */
export const ROWS: Record<string, Record<string, unknown>> = {
  '101476997': {
    decisionForm: 'Ухвала',
    adoptedOn: { raw: '21.04.2011', iso: '2011-04-21' },
    proceedingForm: 'Адміністративне',
    courtName: 'Києво-Святошинський районний суд Київської області',
    courtCode: '1013',
    judge: 'Усатов Д. Д.',
  },
  '107751396': {
    decisionForm: 'Рішення',
    adoptedOn: { raw: '24.03.1983', iso: '1983-03-24' },
    proceedingForm: 'Цивільне',
    courtName: 'Рокитнянський районний суд Київської області',
    courtCode: '1025',
    judge: 'Подопригора Н. А.',
  },
  '107872773': {
    decisionForm: 'Рішення',
    adoptedOn: { raw: '23.04.1982', iso: '1982-04-23' },
    proceedingForm: 'Цивільне',
    courtName: 'Рокитнянський районний суд Київської області',
    courtCode: '1025',
    judge: 'Манацюк П. К.',
  },
  '13801766': {
    decisionForm: 'Ухвала',
    adoptedOn: { raw: '26.04.2006', iso: '2006-04-26' },
    proceedingForm: 'Цивільне',
    courtName: 'Переяслав-Хмельницький міськрайонний суд Київської області',
    courtCode: '1022',
    judge: 'Рева О. І.',
  },
};

export function fixtureDecision(documentId: string): DecisionPage {
  const page = parsePage(readFixture(`review/${documentId}.html`));
  if (page.kind !== 'review') throw new Error(`fixture ${documentId} is not a decision page`);
  return page;
}

/** The metadata a worker registers: the results row, then the decision page header, then the source URL. */
export function workerMetadata(documentId: string): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      documentId,
      path: `/Review/${documentId}`,
      ...ROWS[documentId],
      page: 1,
      ...fixtureDecision(documentId).metadata,
      sourceUrl: `https://reyestr.court.gov.ua/Review/${documentId}`,
    }),
  );
}

const REGISTER = `mutation($input: RegisterDocumentsInput!) { registerDocuments(input: $input) { created } }`;

/** The HTML stored for a corpus document that has none of its own: its text in a paragraph. */
const htmlOfText = (text: string) => `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`;

/**
 * Registers documents over GraphQL (as an older REST client does), stores their content through the upload
 * route (as a worker does), then drains the search indexer's queue.
 */
export async function addDocuments(
  t: TestGate,
  documents: Array<{ documentId: string; text: string; html?: string; metadata: Record<string, unknown> }>,
) {
  await t.ok(REGISTER, {
    input: { documents: documents.map((d) => ({ documentId: d.documentId, metadata: d.metadata })) },
  });
  const packed = await Promise.all(
    documents.map((d) =>
      packDocument(d.documentId, {
        html: Buffer.from(d.html ?? htmlOfText(d.text)),
        text: Buffer.from(d.text),
        metadata: Buffer.from(JSON.stringify({ ...d.metadata, documentId: d.documentId })),
      }),
    ),
  );
  const answers = await uploadBatch(new ContentClient(t.url, ADMIN_KEY), packed);
  const notStored = [...answers.values()].filter((a) => a.status !== 'stored');
  if (notStored.length) throw new Error(`not stored: ${JSON.stringify(notStored)}`);
  await indexQueuedDocuments();
  const unindexed = await prisma.document.count({
    where: { documentId: { in: documents.map((d) => d.documentId) }, indexedAt: null },
  });
  if (unindexed > 0) throw new Error(`${unindexed} document(s) were not indexed`);
}

export const fixtureDocuments = () =>
  Object.keys(ROWS).map((documentId) => ({
    documentId,
    text: fixtureDecision(documentId).text,
    html: fixtureDecision(documentId).html,
    metadata: workerMetadata(documentId),
  }));
