// NOTIFY on a channel; every gate LISTENing on the database hears it (payloads at most 8 kB).
import { prisma } from '../database.ts';

export async function notify(channel: string, payload: string): Promise<void> {
  await prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
}
