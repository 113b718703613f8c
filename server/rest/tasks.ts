// /api/v1/tasks: create, request (claim), complete, read, list, counts, reset-stale, per-task download
// progress — each a translation onto services/tasks.ts, leases.ts, client-leases.ts and task-progress.ts.
import { z } from 'zod';
import { finishAsHolder } from '../services/client-leases.ts';
import { claimTasks, requeueExpiredLeasesNow } from '../services/leases.ts';
import { countTasksByStatus } from '../services/stats.ts';
import { documentDownloadStarted, downloadStatistics } from '../services/task-progress.ts';
import { MAX_DOCUMENTS_PER_TASK } from '../services/task-input.ts';
import { createTask, getTask, listTasks } from '../services/tasks.ts';
import { idSchema } from '../services/ids.ts';
import { clientOf } from './clients.ts';
import { HttpError, parseBody, unprocessable, type RestRequest, type Route } from './http.ts';
import {
  countsJson,
  downloadStatisticsJson,
  intField,
  internalStatuses,
  REST_STATUSES,
  restStatus,
  taskJson,
  type RestStatus,
} from './shapes.ts';

const creation = z.object({
  search_params: z.record(z.string(), z.unknown()),
  start_page: intField(1, 100_000).optional(),
  // Required, as the contract (../shared/contracts/rest-v1.md) and the older gate have it: a missing count is a 422
  // naming the field, never a default the caller did not choose.
  max_documents: intField(1, MAX_DOCUMENTS_PER_TASK),
});

const counter = intField(0, 10_000_000).optional();
const completion = z.object({
  task_id: idSchema,
  lease_token: idSchema.nullish(),
  documents_downloaded: counter,
  documents_failed: counter,
  documents_skipped: counter,
  result_summary: z.record(z.string(), z.unknown()).nullish(),
  error_message: z.string().max(4000).nullish(),
});

const registryId = z.union([z.string().trim().min(1).max(100), z.number().int().min(0).transform(String)]);
const downloadStart = z.object({
  task_id: idSchema,
  document_id: registryId,
  reg_number: registryId.nullish(),
  lease_token: idSchema.nullish(),
});

/** Unknown and malformed ids alike are "not found", as the older gate answered. */
const taskIdParam = (req: RestRequest) => {
  const id = req.params.task_id;
  if (!idSchema.safeParse(id).success) throw new HttpError(404, `Task ${id} not found`);
  return id;
};

function listQuery(query: URLSearchParams): { status: RestStatus | null; limit: number } {
  const status = query.get('status_filter');
  const rawLimit = query.get('limit');
  const detail = [];
  if (status !== null && !REST_STATUSES.includes(status as RestStatus)) {
    detail.push({
      type: 'enum',
      loc: ['query', 'status_filter'],
      msg: `Input should be ${REST_STATUSES.map((s) => `'${s}'`).join(', ')}`,
      input: status,
    });
  }
  const limit = rawLimit === null ? 100 : /^\s*-?\d+\s*$/.test(rawLimit) ? Number(rawLimit) : NaN;
  if (Number.isNaN(limit)) {
    detail.push({
      type: 'int_parsing',
      loc: ['query', 'limit'],
      msg: 'Input should be a valid integer, unable to parse string as an integer',
      input: rawLimit,
    });
  } else if (limit < 1 || limit > 1000) {
    const [type, msg] =
      limit < 1
        ? ['greater_than_equal', 'greater than or equal to 1']
        : ['less_than_equal', 'less than or equal to 1000'];
    detail.push({ type, loc: ['query', 'limit'], msg: `Input should be ${msg}`, input: rawLimit });
  }
  if (detail.length) throw unprocessable(detail);
  return { status: status as RestStatus | null, limit };
}

export function taskRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/tasks/create',
      body: 'required',
      handle: async (req) => {
        const body = parseBody(creation, req.body);
        const task = await createTask(req.actor, {
          searchParams: body.search_params,
          startPage: body.start_page,
          maxDocuments: body.max_documents,
        });
        return { body: { task_id: task.id, message: `Task ${task.id} created successfully` } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/tasks/request',
      body: 'optional',
      handle: async (req) => {
        const client = await clientOf(req, 'REST client');
        // the key and the task's input are all the answer says (no json row of 33 columns from PostgreSQL)
        const [lease] = await claimTasks(req.actor, { clientId: client.id, limit: 1 }, 'keyAndInput');
        if (!lease) throw new HttpError(404, 'No pending tasks available');
        const { task } = lease;
        return {
          body: {
            task_id: task.id,
            search_params: task.searchParams,
            start_page: task.startPage,
            max_documents: task.maxDocuments,
            status: restStatus(task.status),
            // Not in the older contract: clients that send it back get the same fencing as GraphQL workers.
            lease_token: lease.leaseToken,
            lease_expires_at: lease.leaseExpiresAt,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/tasks/complete',
      body: 'required',
      handle: async (req) => {
        const body = parseBody(completion, req.body);
        const task = await finishAsHolder(req.actor, await clientOf(req), {
          taskId: body.task_id,
          leaseToken: body.lease_token,
          documentsDownloaded: body.documents_downloaded ?? 0,
          documentsFailed: body.documents_failed ?? 0,
          documentsSkipped: body.documents_skipped ?? 0,
          resultSummary: body.result_summary ?? undefined,
          errorMessage: body.error_message,
        });
        const message =
          task.status === 'COMPLETED'
            ? `Task ${task.id} completed successfully`
            : task.status === 'PENDING'
              ? `Task ${task.id} failed; it will be retried`
              : `Task ${task.id} failed`;
        return { body: { success: true, message, status: restStatus(task.status) } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/tasks/document-download-start',
      body: 'required',
      handle: async (req) => {
        const body = parseBody(downloadStart, req.body);
        const statistics = await documentDownloadStarted(req.actor, await clientOf(req), {
          taskId: body.task_id,
          documentId: body.document_id,
          leaseToken: body.lease_token,
        });
        return {
          body: {
            success: true,
            message: `Download of document ${body.document_id} started`,
            statistics: downloadStatisticsJson(statistics),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/tasks/reset-stale',
      body: 'optional',
      handle: async (req) => {
        const moved = await requeueExpiredLeasesNow(req.actor);
        return { body: { success: true, reset_count: moved.length, message: `Reset ${moved.length} stale tasks` } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tasks',
      handle: async (req) => {
        const { status, limit } = listQuery(req.query);
        const [tasks, counts] = await Promise.all([
          listTasks(req.actor, status ? { status: internalStatuses(status) } : null, limit),
          countTasksByStatus(),
        ]);
        return { body: { ...countsJson(counts), tasks: tasks.map(taskJson) } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/tasks/status',
      handle: async () => ({ body: countsJson(await countTasksByStatus()) }),
    },
    {
      method: 'GET',
      path: '/api/v1/tasks/:task_id',
      handle: async (req) => ({ body: taskJson(await getTask(req.actor, taskIdParam(req))) }),
    },
    {
      method: 'GET',
      path: '/api/v1/tasks/:task_id/download-statistics',
      handle: async (req) => ({ body: downloadStatisticsJson(await downloadStatistics(req.actor, taskIdParam(req))) }),
    },
  ];
}
