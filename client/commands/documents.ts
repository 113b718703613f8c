/**
 * `reyestr documents list|get`: decisions the workers have downloaded, as the gate records them.
 */
import type { Command } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import { registerDocumentExportCommand } from './documents-export.ts';
import { registerDocumentSearchCommands } from './documents-search.ts';
import {
  CliError,
  EXIT,
  action,
  commandGroup,
  fields,
  gateCommand,
  int,
  json,
  stdio,
  table,
  withGate,
  type GateOptions,
  type Output,
} from './support.ts';

graphql(`
  fragment OperatorDocument on Document { id documentId fetchedAt sizeBytes sha256 metadata task { id } client { id name } }
`);
const DocumentsDocument = graphql(`
  query OperatorDocuments($first: Int, $taskId: ID, $clientId: ID) {
    documents(first: $first, taskId: $taskId, clientId: $clientId) { totalCount edges { node { ...OperatorDocument } } }
  }
`);
const DocumentDocument = graphql(`
  query OperatorDocument($id: ID!) { document(id: $id) { ...OperatorDocument } }
`);

export function registerDocumentCommands(program: Command, output: Output = stdio): Command {
  const documents = commandGroup(program, 'documents', 'downloaded decisions recorded by the gate');

  gateCommand(
    documents,
    'list',
    'list recorded documents, newest first',
    'reyestr documents list --task 3f2a9c1e-… --limit 10',
  )
    .option('--task <id>', 'downloaded by this task')
    .option('--client <id>', 'downloaded by this worker')
    .option('--limit <n>', 'at most this many (default 50)', int('--limit', 1, 500), 50)
    .action(
      action(async (o: GateOptions & { task?: string; client?: string; limit: number }) => {
        const { documents: found } = await withGate(o, (gate) =>
          gate.request(DocumentsDocument, { first: o.limit, taskId: o.task, clientId: o.client }),
        );
        const rows = found.edges.map((e) => e.node);
        if (o.json) return void output.out(json({ totalCount: found.totalCount, documents: rows }));
        output.out(
          table(
            ['DOCUMENT', 'FETCHED', 'BYTES', 'TASK', 'WORKER'],
            rows.map((d) => [d.documentId, d.fetchedAt.slice(0, 19), d.sizeBytes, d.task?.id, d.client?.name]),
          ),
        );
        output.out(`${rows.length} of ${found.totalCount} document(s)\n`);
      }, output),
    );

  gateCommand(
    documents,
    'get',
    "show one document by the registry's id or the gate's id",
    'reyestr documents get 101476997',
  )
    .argument('<id>', 'registry documentId or gate UUID')
    .action(
      action(async (id: string, o: GateOptions) => {
        const { document } = await withGate(o, (gate) => gate.request(DocumentDocument, { id }));
        if (!document) throw new CliError(`document ${id} not found`, EXIT.NOT_FOUND);
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
  return documents;
}
