// Runs once before any test file: brings the compiled build (dist/) up to date, so every CLI, worker and
// gate process the tests spawn through bin/reyestr.mjs starts from JavaScript at once instead of each one
// rebuilding (or compiling TypeScript) on its own.
import { build, buildIsCurrent } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  if (!buildIsCurrent()) await build();
}
