#!/usr/bin/env node
// The `reyestr` command. It runs the compiled build in dist/ (scripts/build.mjs, made by `npm install`).
// When a source file changed since that build it rebuilds first (esbuild, well under a second); if it
// cannot (no esbuild, read-only folder), it runs the TypeScript sources through tsx and says so once.
// It is also where the two trees meet: the CLI's `serve` runs the gate (server/main.ts), which client/ may not
// import itself (test/architecture/boundaries.test.ts).
import { build, buildIsCurrent } from '../scripts/build.mjs';

let compiled = buildIsCurrent();
if (!compiled) {
  try {
    await build();
    compiled = true;
  } catch (error) {
    process.stderr.write(
      `reyestr: cannot build dist/ (${String(error?.message ?? error).split('\n')[0]}); running the TypeScript sources (slower start)\n`,
    );
  }
}
if (!compiled) (await import('tsx/esm/api')).register();
const { runCli } = await import(compiled ? '../dist/cli.js' : '../client/cli.ts');
await runCli(process.argv, {
  serve: async () => {
    const { main } = await import(compiled ? '../dist/gate.js' : '../server/main.ts');
    await main();
  },
});
