// What each window's round of tasks has come to: its PLAN task and every task planned under it (children
// by parent_id, recursively), counted in one statement for many windows.
import { prisma } from '../database.ts';

type Db = Pick<typeof prisma, '$queryRaw'>;

export interface RoundProgress {
  rootId: string;
  /** tasks not finished yet (pending, leased or waiting for a retry) */
  open: number;
  rootStatus: string;
  /** the registry's total for the window (the root PLAN task's), null until it is done */
  total: number | null;
  /** download tasks in the round */
  downloads: number;
  planTasks: number;
  /** result pages the download tasks read (by their page ranges) */
  pages: number;
  documentsDownloaded: number;
  documentsSkipped: number;
  documentsFailed: number;
  /** failed, dead or cancelled tasks, with one of their errors */
  tasksFailed: number;
  lastError: string | null;
}

export async function roundProgress(rootIds: string[], db: Db = prisma): Promise<RoundProgress[]> {
  if (rootIds.length === 0) return [];
  const rows = await db.$queryRaw<Array<Record<string, unknown>>>`
    WITH RECURSIVE tree AS (
      SELECT t.id AS root_id, t.* FROM tasks t WHERE t.id = ANY(${rootIds}::uuid[])
      UNION ALL
      SELECT tree.root_id, c.* FROM tasks c JOIN tree ON c.parent_id = tree.id
    )
    SELECT root_id::text AS "rootId",
      count(*) FILTER (WHERE status IN ('PENDING', 'CLAIMED', 'RUNNING')) AS open,
      max(status::text) FILTER (WHERE id = root_id) AS "rootStatus",
      max(total_expected) FILTER (WHERE id = root_id) AS total,
      count(*) FILTER (WHERE kind = 'DOWNLOAD') AS downloads,
      count(*) FILTER (WHERE kind = 'PLAN') AS "planTasks",
      coalesce(sum(ceil(max_documents::numeric / greatest(1, coalesce((search_params->>'PagingInfo.ItemsPerPage')::int, 25))))
        FILTER (WHERE kind = 'DOWNLOAD' AND status = 'COMPLETED'), 0) AS pages,
      coalesce(sum(documents_downloaded) FILTER (WHERE kind = 'DOWNLOAD'), 0) AS "documentsDownloaded",
      coalesce(sum(documents_skipped) FILTER (WHERE kind = 'DOWNLOAD'), 0) AS "documentsSkipped",
      coalesce(sum(documents_failed) FILTER (WHERE kind = 'DOWNLOAD'), 0) AS "documentsFailed",
      count(*) FILTER (WHERE status IN ('FAILED', 'DEAD', 'CANCELLED')) AS "tasksFailed",
      max(last_error) AS "lastError"
    FROM tree GROUP BY root_id`;
  return rows.map((r) => ({
    rootId: String(r.rootId),
    open: Number(r.open),
    rootStatus: String(r.rootStatus),
    total: r.total === null ? null : Number(r.total),
    downloads: Number(r.downloads),
    planTasks: Number(r.planTasks),
    pages: Number(r.pages),
    documentsDownloaded: Number(r.documentsDownloaded),
    documentsSkipped: Number(r.documentsSkipped),
    documentsFailed: Number(r.documentsFailed),
    tasksFailed: Number(r.tasksFailed),
    lastError: r.lastError === null ? null : String(r.lastError),
  }));
}
