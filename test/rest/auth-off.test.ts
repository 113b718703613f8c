// REST with ENABLE_AUTH=false: no key is needed, and tasks are handed out (the older gate could not).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGate, type TestGate } from '../support/gate.ts';
import { region11, restClient } from './support.ts';

let t: TestGate;
beforeAll(async () => {
  t = await startTestGate('postgres', { authEnabled: false, adminApiKey: undefined });
});
afterAll(() => t?.stop());

it('creates, registers, hands out and completes without any key', async () => {
  const anon = restClient(t.url);
  const created = await anon('POST', '/api/v1/tasks/create', {
    key: null,
    body: { search_params: region11, max_documents: 10 },
  });
  expect(created.status).toBe(200);
  const registered = await anon('POST', '/api/v1/clients/register', { key: null, body: { client_name: 'open' } });
  expect(registered.status).toBe(200);
  const got = await anon('POST', '/api/v1/tasks/request', { key: null });
  expect(got).toMatchObject({ status: 200, body: { task_id: created.body.task_id, status: 'assigned' } });
  const done = await anon('POST', '/api/v1/tasks/complete', {
    key: null,
    body: { task_id: got.body.task_id, documents_downloaded: 1 },
  });
  expect(done).toMatchObject({ status: 200, body: { success: true, status: 'completed' } });
  expect((await anon('GET', '/api/v1/clients/me/statistics', { key: null })).body).toMatchObject({
    id: registered.body.client_id,
    task_statistics: { completed_tasks: 1, total_docs_from_tasks: 1 },
  });
});
