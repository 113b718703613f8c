/**
 * `npm run fake-registry [-- --port 8090] [-- --per-day 10]`: the fake registry as a process on 127.0.0.1, for
 * trying the CLI or a worker by hand (`reyestr registry search --registry-url http://127.0.0.1:8090 …`).
 * Without --per-day a search finds as many decisions as the real registry would (thousands a day);
 * `--per-day N` makes every day hold N decisions, whatever the search — a registry small enough to download.
 * Faults can be switched with FAKE_REGISTRY_FAULTS='{"latencyMs":50,"rules":[{"kind":"rate-limit","times":1}]}'.
 */
import { parseArgs } from 'node:util';
import { startFakeRegistry, type Faults } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.FAKE_REGISTRY_PORT ?? '8090' },
    'per-day': { type: 'string', default: process.env.FAKE_REGISTRY_PER_DAY },
  },
});
const perDay = values['per-day'] === undefined ? undefined : Number(values['per-day']);
if (perDay !== undefined && !(Number.isInteger(perDay) && perDay >= 0)) {
  console.error(`fake registry: --per-day must be a whole number, not ${values['per-day']}`);
  process.exit(2);
}
const faults: Faults = process.env.FAKE_REGISTRY_FAULTS ? JSON.parse(process.env.FAKE_REGISTRY_FAULTS) : {};
const registry = await startFakeRegistry({
  port: Number(values.port),
  faults,
  dayCount: perDay === undefined ? undefined : () => perDay,
});
console.log(
  `fake registry listening on ${registry.url}${perDay === undefined ? '' : ` (${perDay} decisions a day)`} (Ctrl+C to stop)`,
);
const stop = async () => {
  await registry.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
