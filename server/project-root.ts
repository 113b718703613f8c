// Where the project's own files are (prisma/migrations, server/dashboard), whether this code runs from the
// TypeScript sources (server/…) or bundled into dist/ (dist/, dist/chunks/): the nearest folder upwards that
// holds package.json. A path relative to import.meta.url would differ between the two.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, e.g. projectPath('prisma', 'migrations'). */
export const projectPath = (...segments: string[]) => join(PROJECT_ROOT, ...segments);
