/**
 * `npm run fake-registry [-- --port 8090]`: the fake registry as a process on 127.0.0.1, for trying
 * the CLI or a worker by hand (`reyestr registry search --registry-url http://127.0.0.1:8090 …`).
 * Faults can be switched with FAKE_REGISTRY_FAULTS='{"latencyMs":50,"rules":[{"kind":"rate-limit","times":1}]}'.
 */
import { parseArgs } from 'node:util';
import { startFakeRegistry, type Faults } from './index.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: process.env.FAKE_REGISTRY_PORT ?? '8090' } },
});
const faults: Faults = process.env.FAKE_REGISTRY_FAULTS ? JSON.parse(process.env.FAKE_REGISTRY_FAULTS) : {};
const registry = await startFakeRegistry({ port: Number(values.port), faults });
console.log(`fake registry listening on ${registry.url} (Ctrl+C to stop)`);
const stop = async () => {
  await registry.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
