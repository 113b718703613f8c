#!/usr/bin/env node
// The `reyestr` command. The project is TypeScript run by tsx (no build step), so this shim registers tsx's
// loader and hands over to client/cli.ts.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli.ts');
