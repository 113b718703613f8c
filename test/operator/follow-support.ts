// Shared by the follow tests (the gate in the test's process, its services called with a clock).
import { prisma } from '../../server/db/database.ts';
import { settleFollows } from '../../server/services/follow-runs.ts';
import { eventually } from '../worker/support.ts';

/**
 * Every task finished (DEAD and FAILED included; a PLAN task's children are created with its completion, so
 * none can appear later), then the follows' rounds settled.
 */
export async function followsIdle(): Promise<void> {
  await eventually(
    async () => (await prisma.task.count({ where: { status: { in: ['PENDING', 'CLAIMED', 'RUNNING'] } } })) === 0,
    90_000,
    'every task to finish',
  );
  await settleFollows();
}
