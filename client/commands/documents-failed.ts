/**
 * `reyestr documents failed [--class …] [--court …] [--since …] [--task …] [--client …] [--retry]`: the decisions
 * workers could not download, with the reason, task, worker and time; `--retry` turns every one the filter matches
 * into a small download task. `reyestr documents retry <documentId…>` retries the ones named.
 */
import type { Command } from 'commander';
import { graphql } from '../gate/generated/index.ts';
import type { FailedDocumentFilter } from '../gate/generated/graphql.ts';
import { resolveOptionalId } from './ids.ts';
import { type PageOptions, pageOptions, pages, printPages } from './paging.ts';
import { action, gateCommand, json, list, withGate, type GateOptions, type Output } from './support.ts';
import { errorClassList, pastTimeOption } from './task-filters.ts';

const FailedDocumentsDocument = graphql(`
  query OperatorFailedDocuments($filter: FailedDocumentFilter, $first: Int, $after: String) {
    failedDocuments(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node {
        documentId errorClass message failures attempt courtName adoptedOn firstFailedAt lastFailedAt retryTaskId
        task { id } worker { id name }
      } }
    }
  }
`);
const RetryFailedDocument = graphql(`
  mutation OperatorRetryFailedDocuments($filter: FailedDocumentFilter!) {
    retryFailedDocuments(filter: $filter) { matched tasksCreated }
  }
`);

interface FailedOptions extends GateOptions, PageOptions {
  class?: string[];
  court?: string;
  since?: string;
  until?: string;
  task?: string;
  client?: string;
  retry?: boolean;
}

export function registerFailedDocumentCommands(documents: Command, output: Output): void {
  pageOptions(
    gateCommand(
      documents,
      'failed',
      'decisions workers could not download: reason, task, worker, when (--retry: retry every one listed)',
      'reyestr documents failed --class registry_error --since 1d',
    )
      .option('--class <list>', 'error classes, e.g. parse,registry_error', list)
      .option('--court <text>', 'court name contains')
      .option('--since <time>', 'failed at or after: ISO date-time or <n>m|h|d ago', pastTimeOption('--since'))
      .option('--until <time>', 'failed before: ISO date-time or <n>m|h|d ago', pastTimeOption('--until'))
      .option('--task <id>', 'failed by this task')
      .option('--client <id>', 'failed by this worker')
      .option('--retry', 'retry every matching decision (one small download task each) instead of listing'),
    'failed document',
  ).action(
    action(async (o: FailedOptions) => {
      await withGate(o, async (gate) => {
        const filter: FailedDocumentFilter = {
          errorClass: errorClassList(o.class),
          court: o.court,
          failedAfter: o.since,
          failedBefore: o.until,
          taskId: await resolveOptionalId(gate, 'TASK', o.task),
          clientId: await resolveOptionalId(gate, 'CLIENT', o.client),
        };
        if (o.retry) {
          const { retryFailedDocuments: r } = await gate.request(RetryFailedDocument, { filter });
          output.out(
            o.json ? json(r) : `${r.matched} failed document(s) matched; ${r.tasksCreated} retry task(s) created\n`,
          );
          return;
        }
        await printPages(
          pages(async (first, after) => {
            const { failedDocuments: found } = await gate.request(FailedDocumentsDocument, { filter, first, after });
            return { ...found.pageInfo, totalCount: found.totalCount, nodes: found.edges.map((e) => e.node) };
          }, o),
          {
            output,
            json: o.json,
            noun: 'failed document',
            key: 'failedDocuments',
            header: ['DOCUMENT', 'CLASS', 'FAILED', 'TIMES', 'TASK', 'WORKER', 'COURT', 'REASON'],
            row: (d) => [
              d.documentId,
              d.errorClass,
              d.lastFailedAt.slice(0, 19),
              d.failures,
              d.task?.id.slice(0, 8),
              d.worker?.name,
              d.courtName,
              d.message.length > 80 ? `${d.message.slice(0, 79)}…` : d.message,
            ],
          },
        );
      });
    }, output),
  );

  gateCommand(
    documents,
    'retry',
    'retry failed decisions by their registry ids (each becomes a small download task)',
    'reyestr documents retry 123456789 123456790',
  )
    .argument('<documentIds...>', "the registry's document ids")
    .action(
      action(async (documentIds: string[], o: GateOptions) => {
        const { retryFailedDocuments: r } = await withGate(o, (gate) =>
          gate.request(RetryFailedDocument, { filter: { documentIds } }),
        );
        output.out(
          o.json
            ? json(r)
            : `${r.matched} of ${documentIds.length} are failed documents; ${r.tasksCreated} retry task(s) created\n`,
        );
        if (r.matched < documentIds.length) process.exitCode = 3; // some ids are not on the failed list
      }, output),
    );
}
