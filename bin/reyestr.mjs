#!/usr/bin/env node
// The `reyestr` command. The project is TypeScript run by tsx (no build step), so this shim registers tsx's
// loader and hands over to client/cli.ts. It is also where the two trees meet: the CLI's `serve` runs the gate
// (server/main.ts), which client/ may not import itself (test/architecture/boundaries.test.ts).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../client/cli.ts');
await runCli(process.argv, {
  serve: async () => {
    const { main } = await import('../server/main.ts');
    await main();
  },
});
