// Read by the Prisma CLI (generate). DATABASE_URL is read directly: `env()` would make even `prisma generate`
// fail when it is unset. The gate itself never uses the CLI for migrations (see server/db/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/reyestr' },
});
