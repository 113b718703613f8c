import { ClientStatus, DocumentStorage, ErrorClass, Role, TaskKind, TaskStatus } from '../generated/prisma/enums.ts';
import { builder } from './builder.ts';

export const TaskStatusEnum = builder.enumType(TaskStatus, {
  name: 'TaskStatus',
  description:
    'Where a task is in its life: PENDING waits for a worker (maybe not before its runAt); CLAIMED is leased with no progress yet; RUNNING is leased and reporting progress; COMPLETED is done; FAILED failed for good (an error that retrying would not fix); DEAD ran out of attempts; CANCELLED was cancelled by an operator. The last four are final until an operator retries the task.',
});
export const TaskKindEnum = builder.enumType(TaskKind, {
  name: 'TaskKind',
  description:
    'DOWNLOAD fetches the decisions of one registry search (up to maxDocuments, from startPage); PLAN counts a search and splits it into DOWNLOAD tasks (or smaller PLAN tasks) that fit the registry’s limits.',
});
export const ErrorClassEnum = builder.enumType(ErrorClass, {
  name: 'ErrorClass',
  description:
    'Why an attempt failed, as the worker classified it: NETWORK (no answer from the registry), RATE_LIMITED (the registry asked to slow down), REGISTRY_ERROR (its error page or a 5xx), CHALLENGE (a captcha or bot check), PARSE (a page the worker could not read), STORAGE (the worker could not store what it downloaded), LEASE_EXPIRED (the worker went silent and the gate took the task back), CANCELLED (an operator cancelled it meanwhile), INTERNAL (a bug). Whether the task is tried again is up to the retryable flag of the failure, not its class.',
});
export const ClientStatusEnum = builder.enumType(ClientStatus, {
  name: 'ClientStatus',
  description:
    'A worker as the gate sees it: ACTIVE (heartbeats arrive), INACTIVE (none for a while: killed or cut off), STOPPED (it said goodbye on a clean stop), DISABLED (an admin disabled it: it may not claim). A heartbeat or registering makes an INACTIVE or STOPPED worker ACTIVE again.',
});
export const RoleEnum = builder.enumType(Role, {
  name: 'Role',
  description:
    'What an API key may do. ADMIN: everything (create tasks, plans, follows and keys, steer workers). WORKER: read, register as a worker, claim tasks and report on its own leases.',
});
export const DocumentStorageEnum = builder.enumType(DocumentStorage, {
  name: 'DocumentStorage',
  description:
    "Where a document's content (HTML, text, metadata) is kept: DATABASE (the gate's own PostgreSQL) or S3 (an S3-compatible bucket, read through presigned URLs).",
});
