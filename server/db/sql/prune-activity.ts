// Keeps the activity rollups bounded: per-minute rows for two days (the hour chart and stats read at most a day
// of minutes), per-hour rows for `hourDays` days (the week chart needs seven; null keeps them all).
import { prisma } from '../database.ts';

export async function pruneActivity(hourDays: number | null): Promise<number> {
  const [row] = await prisma.$queryRaw<Array<{ deleted: number }>>`
    WITH minutes AS (DELETE FROM activity_minutes WHERE bucket < now() - interval '2 days' RETURNING 1),
      hours AS (DELETE FROM activity_hours WHERE ${hourDays}::int IS NOT NULL
        AND bucket < now() - make_interval(days => ${hourDays}::int) RETURNING 1)
    SELECT ((SELECT count(*) FROM minutes) + (SELECT count(*) FROM hours))::int AS deleted`;
  return row.deleted;
}
