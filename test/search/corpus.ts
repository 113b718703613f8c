// The real fixture decisions as a small searchable corpus: each registered the way a worker registers it
// (results row + decision page header), then its text indexed through indexDocumentContent, the function
// the content store calls.
import { parsePage } from '../../client/registry/parsers/index.ts';
import type { DecisionPage } from '../../client/registry/parsers/decision.ts';
import { prisma } from '../../server/db/database.ts';
import { indexDocumentContent } from '../../server/services/document-index.ts';
import { readFixture } from '../fake-registry/fixtures.ts';
import type { TestGate } from '../support/gate.ts';

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

/** Registers documents over GraphQL (as a worker does), then indexes each text. */
export async function addDocuments(
  t: TestGate,
  documents: Array<{ documentId: string; text: string; metadata: Record<string, unknown> }>,
) {
  await t.ok(REGISTER, {
    input: { documents: documents.map((d) => ({ documentId: d.documentId, metadata: d.metadata })) },
  });
  for (const d of documents)
    if (!(await indexDocumentContent(prisma, { documentId: d.documentId, text: d.text })))
      throw new Error(`document ${d.documentId} was not indexed`);
}

export const fixtureDocuments = () =>
  Object.keys(ROWS).map((documentId) => ({
    documentId,
    text: fixtureDecision(documentId).text,
    metadata: workerMetadata(documentId),
  }));
