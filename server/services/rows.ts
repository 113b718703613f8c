// The records services hand out. Adapters (REST's shapes, the schema's types) take them from here, so they
// depend on the service layer only, never on the database modules behind it.
export type { TaskRow } from '../db/sql/task-row.ts';
export type { Client, Document } from '../generated/prisma/client.ts';
export type { ClientStatus, TaskStatus } from '../generated/prisma/enums.ts';
