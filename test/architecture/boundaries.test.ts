// The import arrows between client/, client/rules/ and server/ (see boundaries.ts): the real tree keeps them,
// and the check does fail on graphs that break them — in memory and from files on disk.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { boundaryViolations, importCycles, importsOf, sourcesUnder, type SourceFile } from './boundaries.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const offenders = (files: SourceFile[]) => boundaryViolations(files).map((v) => `${v.from} → ${v.specifier}`);

describe('import boundaries', () => {
  it('hold in this repository', () => {
    const files = sourcesUnder(root, ['client', 'server']);
    expect(files.some((f) => f.path === 'client/rules/index.ts')).toBe(true);
    expect(files.some((f) => f.path === 'server/dashboard/app.js')).toBe(true);
    expect(boundaryViolations(files)).toEqual([]);
  });

  it('fail when client/ imports server/ (static, type-only or dynamic)', () => {
    expect(
      offenders([
        { path: 'client/cli.ts', text: "const { main } = await import('../server/main.ts');" },
        { path: 'client/worker/x.ts', text: "import type { TaskRow } from '../../server/db/sql/task-row.ts';" },
        { path: 'client/commands/y.ts', text: "export { startGate } from '../../server/gate.ts';" },
        { path: 'client/worker/ok.ts', text: "import { decideWindow } from '../rules/index.ts';" },
      ]),
    ).toEqual([
      'client/cli.ts → ../server/main.ts',
      'client/worker/x.ts → ../../server/db/sql/task-row.ts',
      'client/commands/y.ts → ../../server/gate.ts',
    ]);
  });

  it('fail when client/rules/ imports I/O or the rest of the client', () => {
    const text = [
      "import { readFile } from 'node:fs/promises';",
      "import { request } from 'node:http';",
      "import pg from 'pg';",
      "import { PrismaClient } from '@prisma/client';",
      "import { GraphQLClient } from 'graphql-request';",
      "import { RegistrySession } from '../registry/session.ts';",
      "export * from '../registry/http.ts';",
      // allowed: its own files and pure modules
      "import { z } from 'zod';",
      "import { createHash } from 'node:crypto';",
      "import { courtRegions } from './catalogues.ts';",
    ].join('\n');
    expect(offenders([{ path: 'client/rules/leaky.ts', text }])).toEqual([
      'client/rules/leaky.ts → node:fs/promises',
      'client/rules/leaky.ts → node:http',
      'client/rules/leaky.ts → pg',
      'client/rules/leaky.ts → @prisma/client',
      'client/rules/leaky.ts → graphql-request',
      'client/rules/leaky.ts → ../registry/session.ts',
      'client/rules/leaky.ts → ../registry/http.ts',
    ]);
  });

  it('fail when server/ imports client/ other than the rules face', () => {
    const text = [
      "import { RegistrySession } from '../../client/registry/index.ts';",
      "import { decideWindow } from '../../client/rules/plan-window.ts';",
      "import { GateClient } from '../../client/gate/client.ts';",
      "import { validateSearchParams } from '../../client/rules/index.ts';",
    ].join('\n');
    expect(offenders([{ path: 'server/services/x.ts', text }])).toEqual([
      'server/services/x.ts → ../../client/registry/index.ts',
      'server/services/x.ts → ../../client/rules/plan-window.ts',
      'server/services/x.ts → ../../client/gate/client.ts',
    ]);
  });

  it('leave no import circle among the dashboard modules', () => {
    const dashboard = sourcesUnder(root, ['server/dashboard']).filter((f) => f.path.endsWith('.js'));
    expect(dashboard.length).toBeGreaterThan(5);
    expect(importCycles(dashboard.flatMap(importsOf))).toEqual([]);
  });

  it('find an import circle', () => {
    const files: SourceFile[] = [
      { path: 'server/dashboard/app.js', text: "import { a } from './tasks.js';" },
      { path: 'server/dashboard/tasks.js', text: "import { b } from './detail.js';\nimport { c } from './dom.js';" },
      { path: 'server/dashboard/detail.js', text: "import { reportError } from './app.js';" },
      { path: 'server/dashboard/dom.js', text: '' },
    ];
    expect(importCycles(files.flatMap(importsOf))).toEqual([
      ['server/dashboard/app.js', 'server/dashboard/tasks.js', 'server/dashboard/detail.js'],
    ]);
  });

  describe('on files on disk', () => {
    const fixture = mkdtempSync(join(tmpdir(), 'reyestr-boundaries-'));
    afterAll(() => rmSync(fixture, { recursive: true, force: true }));

    it('finds a rule that reads a file and a client module that starts the gate', () => {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(fixture, path)), { recursive: true });
        writeFileSync(join(fixture, path), text);
      };
      write('client/rules/index.ts', "export * from './dates.ts';");
      write('client/rules/dates.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;");
      write('client/cli.mjs', "await import('../server/main.ts');");
      write('server/main.ts', "import { x } from '../client/rules/index.ts';");
      expect(
        boundaryViolations(sourcesUnder(fixture, ['client', 'server'])).map((v) => [v.from, v.specifier, v.rule]),
      ).toEqual([
        ['client/cli.mjs', '../server/main.ts', 'client/ must not import server/'],
        ['client/rules/dates.ts', 'node:fs', 'client/rules/ imports only itself and pure modules (zod, node:crypto)'],
      ]);
    });
  });
});
