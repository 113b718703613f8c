// DATA_DIR for the embedded database: created if missing, and found writable, or one clear error naming it.
// Not mkdirSync(…, { recursive: true }): under /proc it spins for ever at 100 % CPU (mkdir answers ENOENT for
// a path whose parent exists, and Node's recursive mkdir retries the parent). Here each missing part is
// created once, from the root down, so any refusal ends in an error.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'the file system does not allow creating it',
  ENOSPC: 'no space left on the device',
};

const describe = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (error as Error).message;
};

/** Creates `dir` (and missing parents) and checks that the gate may write in it. */
export function ensureDataDir(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let path = target; ; path = dirname(path)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DataDirError(`DATA_DIR ${target}: cannot look at ${path}: ${describe(error)}`);
      }
      missing.unshift(path);
      if (dirname(path) === path) break;
      continue;
    }
    if (!isDirectory) throw new DataDirError(`DATA_DIR ${target}: ${path} is a file, not a directory`);
    break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // made meanwhile (another process)
      throw new DataDirError(`DATA_DIR ${target}: cannot create ${path}: ${describe(error)}`);
    }
  }
  try {
    accessSync(target, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DataDirError(`DATA_DIR ${target}: cannot write there: ${describe(error)}`);
  }
}
