// Worker entry for bench/events-subscribers.ts: tsx's loader is not inherited by worker threads, so the worker
// registers it before loading the TypeScript (as bin/reyestr.mjs does for the CLI).
import { register } from 'tsx/esm/api';

register();
await import('./events-subscribers.ts');
