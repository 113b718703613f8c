/**
 * The arrows allowed between the rooms of the code, checked on the import graph:
 *   - nothing under client/ imports server/ (the worker and the CLI run without the gate's code; the CLI's
 *     `serve` gets the gate handed in by bin/reyestr.mjs);
 *   - client/rules/ imports only itself and pure modules (no files, sockets, databases, registry sessions):
 *     the gate and the worker both run these rules, so they must be safe anywhere;
 *   - server/ imports from client/ only the rules' face, client/rules/index.ts.
 * and, separately, `importCycles` finds modules that import each other round a circle (the dashboard's plain ES
 * modules had one: app → tasks → detail → app …).
 * Imports are read with TypeScript's own pre-processor (static, type-only, re-exports and dynamic import()).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';

/** What client/rules/ may import besides its own files: validation and hashing, nothing that does I/O. */
export const PURE_MODULES: ReadonlySet<string> = new Set(['zod', 'node:crypto']);
export const RULES_FACE = 'client/rules/index.ts';

export interface SourceFile {
  /** repository-relative, forward slashes */
  path: string;
  text: string;
}

export interface Import {
  from: string;
  specifier: string;
  /** repository-relative target for relative specifiers; null for packages and node builtins */
  target: string | null;
}

export interface Violation {
  from: string;
  specifier: string;
  rule: string;
}

const SOURCE = /\.(?:[cm]?[jt]s)$/;

export function importsOf(file: SourceFile): Import[] {
  const { importedFiles } = ts.preProcessFile(file.text, true, true);
  return importedFiles.map(({ fileName: specifier }) => ({
    from: file.path,
    specifier,
    target: specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file.path), specifier)) : null,
  }));
}

const under = (path: string, folder: string) => path.startsWith(`${folder}/`);

export function violationsOf(imports: Import[]): Violation[] {
  const violations: Violation[] = [];
  for (const { from, specifier, target } of imports) {
    const fail = (rule: string) => violations.push({ from, specifier, rule });
    if (under(from, 'client') && target !== null && under(target, 'server')) {
      fail('client/ must not import server/');
    }
    if (under(from, 'client/rules')) {
      if (target === null ? !PURE_MODULES.has(specifier) : !under(target, 'client/rules')) {
        fail(`client/rules/ imports only itself and pure modules (${[...PURE_MODULES].join(', ')})`);
      }
    }
    if (under(from, 'server') && target !== null && under(target, 'client') && target !== RULES_FACE) {
      fail(`server/ imports from client/ only ${RULES_FACE}`);
    }
  }
  return violations;
}

/** Every source file under the given folders of the repository at `root`, except generated code (its
 * generator owns its imports). */
export function sourcesUnder(root: string, folders: string[]): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(full);
      } else if (SOURCE.test(entry.name)) {
        files.push({ path: relative(root, full).split('\\').join('/'), text: readFileSync(full, 'utf8') });
      }
    }
  };
  for (const folder of folders) walk(join(root, folder));
  return files;
}

export const boundaryViolations = (files: SourceFile[]) => violationsOf(files.flatMap(importsOf));

/** Import circles among the files: one per import that closes a circle, as the files round it. */
export function importCycles(imports: Import[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const { from, target } of imports) {
    if (target !== null) edges.set(from, [...(edges.get(from) ?? []), target]);
  }
  const done = new Set<string>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    const at = path.indexOf(file);
    if (at >= 0) return void cycles.push(path.slice(at));
    if (done.has(file)) return;
    path.push(file);
    for (const next of edges.get(file) ?? []) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of [...edges.keys()].sort()) visit(file);
  return cycles;
}
