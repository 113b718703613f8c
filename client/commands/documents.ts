/**
 * `reyestr documents list|get`: decisions the workers have downloaded, as the gate records them;
 * `import` and `pull` (./document-transfer.ts) move their content between a folder and the gate.
 */
import type { Command } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import { registerDocumentExportCommand } from './documents-export.ts';
import { registerFailedDocumentCommands } from './documents-failed.ts';
import { registerDocumentSearchCommands } from './documents-search.ts';
import { registerDocumentTransferCommands } from './documents-transfer.ts';
import {
  CliError,
  EXIT,
  action,
  commandGroup,
  fields,
  gateCommand,
  json,
  stdio,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';
import { resolveOptionalId, resolveId } from './ids.ts';
import { type PageOptions, pageOptions, pages, printPages } from './paging.ts';

graphql(`
  fragment OperatorDocument on Document { id documentId fetchedAt sizeBytes sha256 metadata task { id } client { id name } }
`);
const DocumentsDocument = graphql(`
  query OperatorDocuments($first: Int, $after: String, $taskId: ID, $clientId: ID) {
    documents(first: $first, after: $after, taskId: $taskId, clientId: $clientId) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { ...OperatorDocument } }
    }
  }
`);
const DocumentDocument = graphql(`
  query OperatorDocument($id: ID!) { document(id: $id) { ...OperatorDocument } }
`);
const DocumentTextDocument = graphql(`
  query OperatorDocumentText($id: ID!) { document(id: $id) { documentId text } }
`);

export function registerDocumentCommands(program: Command, output: Output = stdio): Command {
  const documents = commandGroup(program, 'documents', 'downloaded decisions recorded by the gate');

  pageOptions(
    gateCommand(
      documents,
      'list',
      'list recorded documents, newest first',
      'reyestr documents list --task 3f2a9c1e --limit 10',
    )
      .option('--task <id>', 'downloaded by this task (id or its first characters)')
      .option('--client <id>', 'downloaded by this worker (id or its first characters)'),
    'document',
  ).action(
    action(async (o: GateOptions & PageOptions & { task?: string; client?: string }) => {
      await withGate(o, async (gate) => {
        const taskId = await resolveOptionalId(gate, 'TASK', o.task);
        const clientId = await resolveOptionalId(gate, 'CLIENT', o.client);
        await printPages(
          pages(async (first, after) => {
            const { documents: found } = await gate.request(DocumentsDocument, { first, after, taskId, clientId });
            return { ...found.pageInfo, totalCount: found.totalCount, nodes: found.edges.map((e) => e.node) };
          }, o),
          {
            output,
            json: o.json,
            noun: 'document',
            key: 'documents',
            header: ['DOCUMENT', 'FETCHED', 'BYTES', 'TASK', 'WORKER'],
            row: (d) => [d.documentId, d.fetchedAt.slice(0, 19), d.sizeBytes, d.task?.id, d.client?.name],
          },
        );
      });
    }, output),
  );

  gateCommand(
    documents,
    'get',
    "show one document by the registry's id or the gate's id",
    'reyestr documents get 101476997',
  )
    .argument('<id>', "registry documentId (digits), or the gate's UUID or its first characters")
    .option('--text', "print the decision's text (from the document store) instead of its record")
    .action(
      action(async (input: string, o: GateOptions & { text?: boolean }) => {
        const found = await withGate(o, async (gate) => {
          // Digits alone are the registry's documentId; anything else may be a shortened gate id.
          const id = /^\d+$/.test(input) ? input : await resolveId(gate, 'DOCUMENT', input);
          if (o.text) return { id, text: (await gate.request(DocumentTextDocument, { id })).document };
          return { id, record: (await gate.request(DocumentDocument, { id })).document };
        });
        if (!found.record && !found.text) throw new CliError(`document ${found.id} not found`, EXIT.NOT_FOUND);
        if (found.text) {
          const { documentId, text } = found.text;
          if (text == null) throw new CliError(`document ${documentId} has no stored content yet`, EXIT.NOT_FOUND);
          return void output.out(o.json ? json({ documentId, text }) : text.endsWith('\n') ? text : `${text}\n`);
        }
        const document = found.record!;
        if (o.json) return void output.out(json(document));
        output.out(
          fields([
            ['document', document.documentId],
            ['id', document.id],
            ['fetched', document.fetchedAt],
            ['bytes', document.sizeBytes],
            ['sha256', document.sha256],
            ['task', document.task?.id],
            ['worker', document.client?.name],
            ['metadata', document.metadata],
          ]),
        );
      }, output),
    );
  registerDocumentSearchCommands(documents, output);
  registerDocumentExportCommand(documents, output);
  registerDocumentTransferCommands(documents, output);
  registerFailedDocumentCommands(documents, output);
  return documents;
}
