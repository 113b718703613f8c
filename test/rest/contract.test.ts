// Replays the REST contract (../shared/contracts/rest-v1.md) against a real gate on PostgreSQL: every route's
// happy path and its bad-input cases, with exact status codes and bodies. None may answer 500.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { ADMIN_KEY, startTestGate, type TestGate } from '../support/gate.ts';
import { region11, restClient, workerKey, type RestResult } from './support.ts';

let t: TestGate;
let call: ReturnType<typeof restClient>;
const seen: RestResult[] = [];

beforeAll(async () => {
  t = await startTestGate('postgres', { leaseSeconds: 60 });
  const raw = restClient(t.url);
  call = async (...args) => {
    const r = await raw(...args);
    seen.push(r);
    return r;
  };
});
afterAll(() => t?.stop());
afterEach(() => {
  expect(seen.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
  seen.length = 0;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const clearTasks = () => prisma.task.deleteMany({});

async function newTask(body: Record<string, unknown> = {}) {
  const r = await call('POST', '/api/v1/tasks/create', {
    body: { search_params: region11, start_page: 1, max_documents: 10, ...body },
  });
  expect(r.status).toBe(200);
  return r.body.task_id as string;
}

async function registeredWorker(name: string) {
  const key = await workerKey(name);
  const r = await call('POST', '/api/v1/clients/register', { key, body: { client_name: name, client_host: 'host-1' } });
  expect(r.status).toBe(200);
  return { key, clientId: r.body.client_id as string };
}

describe('service routes', () => {
  it('GET / and GET /health', async () => {
    expect(await call('GET', '/', { key: null })).toMatchObject({
      status: 200,
      body: { service: 'Reyestr Download Server', version: 'v1', status: 'running' },
    });
    expect(await call('GET', '/health', { key: null })).toMatchObject({
      status: 200,
      body: { status: 'healthy', database: 'connected' },
    });
  });

  it('unknown path → 404, wrong method → 405', async () => {
    expect(await call('GET', '/api/v1/nothing')).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    expect(await call('GET', '/nope', { key: null })).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    const get = await call('GET', '/api/v1/tasks/request');
    expect(get).toMatchObject({ status: 405, body: { detail: 'Method Not Allowed' } });
    expect(get.headers.get('allow')).toBe('POST');
    expect(await call('DELETE', '/api/v1/tasks/create')).toMatchObject({
      status: 405,
      body: { detail: 'Method Not Allowed' },
    });
    expect(await call('POST', '/api/v1/tasks/status')).toMatchObject({
      status: 405,
      body: { detail: 'Method Not Allowed' },
    });
    expect(await call('PUT', '/')).toMatchObject({ status: 405, body: { detail: 'Method Not Allowed' } });
  });
});

describe('auth', () => {
  it('missing key → 401 API key required; unknown key → 401 Invalid API key; Bearer works', async () => {
    expect(await call('GET', '/api/v1/tasks/status', { key: null })).toMatchObject({
      status: 401,
      body: { detail: 'API key required' },
    });
    expect(await call('GET', '/api/v1/tasks/status', { key: 'not-a-key' })).toMatchObject({
      status: 401,
      body: { detail: 'Invalid API key' },
    });
    const bearer = await call('GET', '/api/v1/tasks/status', {
      key: null,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(bearer.status).toBe(200);
  });

  it('register refuses self-chosen keys (header or body) and accepts issued ones in the body', async () => {
    const body = { client_name: 'selfish', api_key: 'my-own-key-12345' };
    expect(await call('POST', '/api/v1/clients/register', { key: null, body })).toMatchObject({
      status: 401,
      body: { detail: 'Invalid API key' },
    });
    expect(await call('POST', '/api/v1/clients/register', { key: null, body: { client_name: 'x' } })).toMatchObject({
      status: 401,
      body: { detail: 'API key required' },
    });
    const key = await workerKey('body-key');
    const r = await call('POST', '/api/v1/clients/register', {
      key: null,
      body: { client_name: 'body-key', api_key: key },
    });
    expect(r).toMatchObject({
      status: 200,
      body: { client_id: expect.stringMatching(UUID), message: 'Client body-key registered successfully' },
    });
  });

  it('a worker key cannot create tasks or reset stale leases; a disabled client is refused', async () => {
    const { key, clientId } = await registeredWorker('plain-worker');
    expect(
      await call('POST', '/api/v1/tasks/create', { key, body: { search_params: region11, max_documents: 10 } }),
    ).toMatchObject({
      status: 403,
      body: { detail: 'This operation needs an admin key' },
    });
    expect((await call('POST', '/api/v1/tasks/reset-stale', { key })).status).toBe(403);
    await prisma.client.update({ where: { id: clientId }, data: { status: 'DISABLED' } });
    expect(await call('POST', '/api/v1/tasks/request', { key })).toMatchObject({
      status: 403,
      body: { detail: 'Client is not active' },
    });
    expect(await call('POST', '/api/v1/clients/register', { key, body: { client_name: 'again' } })).toMatchObject({
      status: 403,
      body: { detail: 'Client is not active' },
    });
  });
});

describe('clients', () => {
  it('register: same key → same client_id, name and host updated', async () => {
    const key = await workerKey('re-register');
    const first = await call('POST', '/api/v1/clients/register', {
      key,
      body: { client_name: 'old name', client_host: 'a' },
    });
    const second = await call('POST', '/api/v1/clients/register', {
      key,
      body: { client_name: 'new name', client_host: 'b' },
    });
    expect(second).toMatchObject({
      status: 200,
      body: { client_id: first.body.client_id, message: 'Client new name registered successfully' },
    });
    const row = await prisma.client.findUniqueOrThrow({ where: { id: first.body.client_id } });
    expect(row).toMatchObject({ name: 'new name', host: 'b' });
  });

  it('register validates its body', async () => {
    const key = await workerKey('validation');
    expect(await call('POST', '/api/v1/clients/register', { key, body: {} })).toEqual(
      expect.objectContaining({
        status: 422,
        body: { detail: [{ type: 'missing', loc: ['body', 'client_name'], msg: 'Field required' }] },
      }),
    );
    const empty = await call('POST', '/api/v1/clients/register', { key, body: { client_name: '' } });
    expect(empty.status).toBe(422);
    expect(empty.body.detail[0]).toMatchObject({ type: 'string_too_short', loc: ['body', 'client_name'] });
    const long = await call('POST', '/api/v1/clients/register', { key, body: { client_name: 'x'.repeat(201) } });
    expect(long.body.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'client_name'] });
    const number = await call('POST', '/api/v1/clients/register', { key, body: { client_name: 5 } });
    expect(number.body.detail[0]).toMatchObject({ type: 'string_type', loc: ['body', 'client_name'], input: 5 });
    expect(await call('POST', '/api/v1/clients/register', { key })).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] },
    });
    const invalid = await call('POST', '/api/v1/clients/register', { key, raw: '{"client_name": ' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error' });
    const array = await call('POST', '/api/v1/clients/register', { key, raw: '[1,2]' });
    expect(array.body.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
  });

  it('heartbeat without a body, with {} and extending leases; listing; statistics of me and by id', async () => {
    await clearTasks();
    const { key, clientId } = await registeredWorker('beater');
    expect(await call('POST', '/api/v1/clients/heartbeat', { key })).toMatchObject({
      status: 200,
      body: { success: true, message: 'Heartbeat received', leases_extended: 0 },
    });
    const taskId = await newTask();
    await call('POST', '/api/v1/tasks/request', { key });
    const before = (await prisma.task.findUniqueOrThrow({ where: { id: taskId } })).leaseExpiresAt!;
    await new Promise((r) => setTimeout(r, 20));
    expect(await call('POST', '/api/v1/clients/heartbeat', { key, body: {} })).toMatchObject({
      status: 200,
      body: { leases_extended: 1 },
    });
    const after = (await prisma.task.findUniqueOrThrow({ where: { id: taskId } })).leaseExpiresAt!;
    expect(after.getTime()).toBeGreaterThan(before.getTime());

    const list = await call('GET', '/api/v1/clients', { key });
    expect(list.status).toBe(200);
    expect(list.body.total_clients).toBe(list.body.clients.length);
    expect(list.body.clients[0]).toEqual({
      id: clientId,
      client_name: 'beater',
      client_host: 'host-1',
      status: 'active',
      last_heartbeat: expect.stringMatching(ISO),
      total_tasks_completed: 0,
      total_documents_downloaded: 0,
      created_at: expect.stringMatching(ISO),
    });
    expect(JSON.stringify(list.body)).not.toContain(key);

    await call('POST', '/api/v1/tasks/complete', {
      key,
      body: { task_id: taskId, documents_downloaded: 7, documents_failed: 1 },
    });
    const me = await call('GET', '/api/v1/clients/me/statistics', { key });
    expect(me).toMatchObject({
      status: 200,
      body: {
        id: clientId,
        client_name: 'beater',
        total_tasks_completed: 1,
        total_documents_downloaded: 7,
        task_statistics: {
          total_tasks: 1,
          completed_tasks: 1,
          in_progress_tasks: 0,
          failed_tasks: 0,
          pending_tasks: 0,
          total_docs_from_tasks: 7,
          total_docs_failed: 1,
          total_docs_skipped: 0,
          first_task_date: expect.stringMatching(ISO),
          last_task_date: expect.stringMatching(ISO),
        },
      },
    });
    expect((await call('GET', `/api/v1/clients/${clientId}/statistics`)).body).toEqual(me.body); // admin reads any
    const other = await registeredWorker('nosy');
    expect(await call('GET', `/api/v1/clients/${clientId}/statistics`, { key: other.key })).toMatchObject({
      status: 403,
      body: { detail: 'This client was registered with another API key' },
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await call('GET', `/api/v1/clients/${unknown}/statistics`)).toMatchObject({
      status: 404,
      body: { detail: `Client ${unknown} not found` },
    });
    expect(await call('GET', '/api/v1/clients/abc/statistics')).toMatchObject({
      status: 404,
      body: { detail: 'Client abc not found' },
    });
  });

  it('a worker stopping cleanly unregisters: stopped at once; a heartbeat makes it active again', async () => {
    const { key, clientId } = await registeredWorker('goodbye');
    expect(await call('POST', '/api/v1/clients/unregister', { key })).toMatchObject({
      status: 200,
      body: { success: true, client_id: clientId, status: 'stopped' },
    });
    expect((await prisma.client.findUniqueOrThrow({ where: { id: clientId } })).status).toBe('STOPPED');
    await call('POST', '/api/v1/clients/heartbeat', { key });
    expect((await prisma.client.findUniqueOrThrow({ where: { id: clientId } })).status).toBe('ACTIVE');
  });

  it('silent clients become inactive', async () => {
    const { key, clientId } = await registeredWorker('silent');
    await prisma.client.update({
      where: { id: clientId },
      data: { lastHeartbeatAt: new Date(Date.now() - 3_600_000) },
    });
    await t.gate.sweeper.tick();
    const list = await call('GET', '/api/v1/clients', { key });
    expect(list.body.clients.find((c: { id: string }) => c.id === clientId).status).toBe('inactive');
    expect(list.body.active_clients).toBe(
      list.body.clients.filter((c: { status: string }) => c.status === 'active').length,
    );
  });
});

describe('tasks', () => {
  it('create validates like the older gate, plus unknown search fields', async () => {
    const post = (body: unknown) => call('POST', '/api/v1/tasks/create', { body });
    const cases: Array<[unknown, string, (string | number)[]]> = [
      [{ start_page: 1, max_documents: 5 }, 'missing', ['body', 'search_params']],
      [{ search_params: region11, max_documents: -5 }, 'greater_than_equal', ['body', 'max_documents']],
      [{ search_params: region11, max_documents: 0 }, 'greater_than_equal', ['body', 'max_documents']],
      [{ search_params: region11, max_documents: 1001 }, 'less_than_equal', ['body', 'max_documents']],
      [{ search_params: region11, start_page: 0, max_documents: 5 }, 'greater_than_equal', ['body', 'start_page']],
      [{ search_params: region11, start_page: 1 }, 'missing', ['body', 'max_documents']],
      [{ search_params: region11, max_documents: 'abc' }, 'int_parsing', ['body', 'max_documents']],
      [{ search_params: region11, max_documents: 2.5 }, 'int_from_float', ['body', 'max_documents']],
      [{ search_params: 'CourtRegion=11' }, 'dict_type', ['body', 'search_params']],
      [{ search_params: region11, max_documents: true }, 'int_type', ['body', 'max_documents']],
    ];
    for (const [body, type, loc] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.detail[0], JSON.stringify(body)).toMatchObject({ type, loc });
    }
    expect((await post({ search_params: region11, max_documents: 1001 })).body.detail[0].msg).toBe(
      'Input should be less than or equal to 1000',
    );
    // No default stands in for a count the caller did not send: the one missing field is named, nothing is created.
    const before = await prisma.task.count();
    expect(await post({ search_params: region11 })).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body', 'max_documents'], msg: 'Field required' }] },
    });
    expect(await prisma.task.count()).toBe(before);
    const unknownField = await post({ search_params: { CourtRegion: '11', Colour: 'red' }, max_documents: 5 });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.detail[0]).toMatchObject({
      type: 'value_error',
      loc: ['body', 'search_params', 'Colour'],
    });
    expect(unknownField.body.detail[0].msg).toMatch(/^Unknown search field \(known: .*CourtRegion/);
    const ok = await post({ search_params: region11, start_page: '2', max_documents: '5', extra_field: 'ignored' });
    expect(ok).toMatchObject({ status: 200, body: { task_id: expect.stringMatching(UUID) } });
    expect(ok.body.message).toBe(`Task ${ok.body.task_id} created successfully`);
    expect(await prisma.task.findUniqueOrThrow({ where: { id: ok.body.task_id } })).toMatchObject({
      startPage: 2,
      maxDocuments: 5,
    });
    expect((await post(undefined)).status).toBe(422);
    expect((await call('POST', '/api/v1/tasks/create', { raw: 'not json' })).status).toBe(422);
  });

  it('request → document-download-start → complete; the same complete again counts once', async () => {
    await clearTasks();
    const { key, clientId } = await registeredWorker('runner');
    expect(await call('POST', '/api/v1/tasks/request', { key })).toMatchObject({
      status: 404,
      body: { detail: 'No pending tasks available' },
    });
    const low = await newTask({ max_documents: 3 });
    const taskId = await newTask({ max_documents: 4, start_page: 2 });
    await prisma.task.update({ where: { id: taskId }, data: { priority: 5 } });
    const got = await call('POST', '/api/v1/tasks/request', { key, body: {} });
    expect(got).toEqual(
      expect.objectContaining({
        status: 200,
        body: {
          task_id: taskId,
          search_params: region11,
          start_page: 2,
          max_documents: 4,
          status: 'assigned',
          lease_token: expect.stringMatching(UUID),
          lease_expires_at: expect.stringMatching(ISO),
        },
      }),
    );
    expect((await call('GET', `/api/v1/tasks/${taskId}`, { key })).body).toMatchObject({
      status: 'assigned',
      client_id: clientId,
    });

    const started = await call('POST', '/api/v1/tasks/document-download-start', {
      key,
      body: { task_id: taskId, document_id: '101476997', reg_number: 101476997 },
    });
    expect(started).toMatchObject({
      status: 200,
      body: {
        success: true,
        message: 'Download of document 101476997 started',
        statistics: { task_id: taskId, status: 'in_progress', documents_started: 1, documents_target: 4 },
      },
    });
    await call('POST', '/api/v1/tasks/document-download-start', {
      key,
      body: { task_id: taskId, document_id: 101476998 },
    });
    const stats = await call('GET', `/api/v1/tasks/${taskId}/download-statistics`, { key });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      documents_started: 2,
      status: 'in_progress',
      started_at: expect.stringMatching(ISO),
    });
    expect(typeof stats.body.average_seconds_per_document).toBe('number');
    expect(typeof stats.body.documents_per_minute).toBe('number');
    expect(typeof stats.body.eta_seconds).toBe('number');

    const body = {
      task_id: taskId,
      documents_downloaded: 4,
      documents_failed: 0,
      documents_skipped: 0,
      result_summary: { pages: 1 },
    };
    const done = await call('POST', '/api/v1/tasks/complete', { key, body });
    expect(done).toMatchObject({
      status: 200,
      body: { success: true, message: `Task ${taskId} completed successfully`, status: 'completed' },
    });
    expect(await call('POST', '/api/v1/tasks/complete', { key, body })).toMatchObject({ status: 200, body: done.body });
    const client = await prisma.client.findUniqueOrThrow({ where: { id: clientId } });
    expect(client).toMatchObject({ tasksCompleted: 1, documentsDownloaded: 4 });
    expect(
      await call('POST', '/api/v1/tasks/complete', { key, body: { ...body, documents_downloaded: 3 } }),
    ).toMatchObject({
      status: 409,
      body: { detail: `Task ${taskId} was already completed with different results` },
    });
    const task = await call('GET', `/api/v1/tasks/${taskId}`, { key });
    expect(task.body).toEqual({
      task_id: taskId,
      status: 'completed',
      search_params: region11,
      start_page: 2,
      max_documents: 4,
      client_id: clientId,
      assigned_at: expect.stringMatching(ISO),
      started_at: expect.stringMatching(ISO),
      completed_at: expect.stringMatching(ISO),
      documents_downloaded: 4,
      documents_failed: 0,
      documents_skipped: 0,
      error_message: null,
      created_at: expect.stringMatching(ISO),
    });
    expect((await call('GET', `/api/v1/tasks/${taskId}/download-statistics`, { key })).body).toMatchObject({
      status: 'completed',
      eta_seconds: null,
    });
    expect((await call('POST', '/api/v1/tasks/request', { key })).body.task_id).toBe(low);
  });

  it('complete: bad input, unknown task, someone else’s task, a lost lease, a task never handed out', async () => {
    await clearTasks();
    const a = await registeredWorker('holder-a');
    const b = await registeredWorker('holder-b');
    const complete = (key: string, body: unknown) => call('POST', '/api/v1/tasks/complete', { key, body });
    expect((await complete(a.key, { task_id: 'not-a-uuid' })).body.detail[0]).toMatchObject({
      type: 'uuid_parsing',
      loc: ['body', 'task_id'],
    });
    expect((await complete(a.key, {})).body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'task_id'] });
    const unknown = '00000000-0000-4000-8000-000000000001';
    expect(await complete(a.key, { task_id: unknown })).toMatchObject({
      status: 404,
      body: { detail: `Task ${unknown} not found` },
    });

    const never = await newTask();
    expect(await complete(a.key, { task_id: never })).toMatchObject({
      status: 409,
      body: { detail: `Task ${never} was never handed out` },
    });
    const taskId = (await call('POST', '/api/v1/tasks/request', { key: a.key })).body.task_id;
    const negative = await complete(a.key, { task_id: taskId, documents_downloaded: -1 });
    expect(negative.status).toBe(422);
    expect(negative.body.detail[0]).toMatchObject({
      type: 'greater_than_equal',
      loc: ['body', 'documents_downloaded'],
    });
    expect(await complete(b.key, { task_id: taskId })).toMatchObject({
      status: 403,
      body: { detail: 'Task does not belong to this client' },
    });

    // a's lease runs out and b gets the task: a's late completion is refused, b's goes through.
    await prisma.task.update({ where: { id: taskId }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
    expect(await call('POST', '/api/v1/tasks/reset-stale')).toMatchObject({
      status: 200,
      body: { success: true, reset_count: 1, message: 'Reset 1 stale tasks' },
    });
    expect((await call('POST', '/api/v1/tasks/request', { key: b.key })).body.task_id).toBe(taskId);
    const late = await complete(a.key, { task_id: taskId, documents_downloaded: 1 });
    expect(late.status).toBe(409);
    expect(late.body.detail).toBe(`The lease on task ${taskId} is no longer yours (expired, released or taken over)`);
    expect((await complete(b.key, { task_id: taskId, documents_downloaded: 2 })).status).toBe(200);
  });

  it('lease_token fences like GraphQL; error_message fails the attempt (retried, then failed) without double counting', async () => {
    await clearTasks();
    const w = await registeredWorker('fenced');
    const taskId = await newTask();
    const lease = (await call('POST', '/api/v1/tasks/request', { key: w.key })).body;
    const wrong = '00000000-0000-4000-8000-000000000002';
    expect(
      (await call('POST', '/api/v1/tasks/complete', { key: w.key, body: { task_id: taskId, lease_token: wrong } }))
        .status,
    ).toBe(409);
    expect(
      (
        await call('POST', '/api/v1/tasks/document-download-start', {
          key: w.key,
          body: { task_id: taskId, document_id: '5', lease_token: wrong },
        })
      ).status,
    ).toBe(409);
    const failBody = { task_id: taskId, lease_token: lease.lease_token, error_message: 'registry said 500' };
    const failed = await call('POST', '/api/v1/tasks/complete', { key: w.key, body: failBody });
    expect(failed).toMatchObject({
      status: 200,
      body: { success: true, message: `Task ${taskId} failed; it will be retried`, status: 'pending' },
    });
    expect(await call('POST', '/api/v1/tasks/complete', { key: w.key, body: failBody })).toMatchObject({
      status: 200,
      body: failed.body,
    });
    const row = await prisma.task.findUniqueOrThrow({ where: { id: taskId } });
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'registry said 500' });
    expect((await call('GET', `/api/v1/tasks/${taskId}`, { key: w.key })).body).toMatchObject({
      status: 'pending',
      error_message: 'registry said 500',
    });
    // out of attempts → failed
    await prisma.task.update({ where: { id: taskId }, data: { attempts: 2, runAt: new Date() } });
    await call('POST', '/api/v1/tasks/request', { key: w.key });
    const last = await call('POST', '/api/v1/tasks/complete', {
      key: w.key,
      body: { task_id: taskId, error_message: 'again' },
    });
    expect(last).toMatchObject({ status: 200, body: { message: `Task ${taskId} failed`, status: 'failed' } });
  });

  it('get, list and counts: whole-table counts, filters, limits, bad input', async () => {
    await clearTasks();
    const w = await registeredWorker('lister');
    const ids = [await newTask(), await newTask(), await newTask()];
    await call('POST', '/api/v1/tasks/request', { key: w.key });
    const list = await call('GET', '/api/v1/tasks?limit=1');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      total_tasks: 3,
      pending: 2,
      assigned: 1,
      in_progress: 0,
      completed: 0,
      failed: 0,
    });
    expect(list.body.tasks).toHaveLength(1);
    expect(list.body.tasks[0].task_id).toBe(ids[2]); // newest first
    const assigned = await call('GET', '/api/v1/tasks?status_filter=assigned');
    expect(assigned.body.tasks.map((x: { status: string }) => x.status)).toEqual(['assigned']);
    expect((await call('GET', '/api/v1/tasks/status')).body).toEqual({
      total_tasks: 3,
      pending: 2,
      assigned: 1,
      in_progress: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
    const badStatus = await call('GET', '/api/v1/tasks?status_filter=running');
    expect(badStatus.status).toBe(422);
    expect(badStatus.body.detail[0]).toMatchObject({ type: 'enum', loc: ['query', 'status_filter'], input: 'running' });
    for (const limit of ['0', '1001', 'abc', '-3', '2.5']) {
      const r = await call('GET', `/api/v1/tasks?limit=${limit}`);
      expect(r.status, limit).toBe(422);
      expect(r.body.detail[0].loc).toEqual(['query', 'limit']);
    }
    const unknown = '00000000-0000-4000-8000-000000000003';
    expect(await call('GET', `/api/v1/tasks/${unknown}`)).toMatchObject({
      status: 404,
      body: { detail: `Task ${unknown} not found` },
    });
    expect(await call('GET', '/api/v1/tasks/xyz')).toMatchObject({
      status: 404,
      body: { detail: 'Task xyz not found' },
    });
    expect(await call('GET', '/api/v1/tasks/xyz/download-statistics')).toMatchObject({
      status: 404,
      body: { detail: 'Task xyz not found' },
    });
    expect((await call('GET', `/api/v1/tasks/${unknown}/download-statistics`)).status).toBe(404);
  });

  it('document-download-start validates and checks the holder', async () => {
    await clearTasks();
    const w = await registeredWorker('announcer');
    const other = await registeredWorker('stranger');
    const taskId = await newTask();
    await call('POST', '/api/v1/tasks/request', { key: w.key });
    const start = (key: string, body: unknown) => call('POST', '/api/v1/tasks/document-download-start', { key, body });
    expect((await start(w.key, { task_id: taskId })).body.detail[0]).toMatchObject({
      type: 'missing',
      loc: ['body', 'document_id'],
    });
    expect((await start(w.key, { task_id: 'x', document_id: '1' })).body.detail[0]).toMatchObject({
      loc: ['body', 'task_id'],
    });
    expect(await start(other.key, { task_id: taskId, document_id: '1' })).toMatchObject({
      status: 403,
      body: { detail: 'Task does not belong to this client' },
    });
    expect((await start(w.key, { task_id: '00000000-0000-4000-8000-000000000004', document_id: '1' })).status).toBe(
      404,
    );
  });
});

describe('documents', () => {
  it('registers with classification; the same document again returns the same system_id; reads back', async () => {
    await clearTasks();
    const w = await registeredWorker('doc-worker');
    const taskId = await newTask({ search_params: { CourtRegion: '14', INSType: '2' } });
    // A document names a task its worker holds (or held): take the lease first.
    expect((await call('POST', '/api/v1/tasks/request', { key: w.key })).body.task_id).toBe(taskId);
    const metadata = {
      external_id: '101476997',
      reg_number: '101476997',
      url: 'https://reyestr.court.gov.ua/Review/101476997',
      court_name: 'Львівський апеляційний суд',
      decision_date: '21.04.2021',
      case_number: '461/1234/20',
    };
    const first = await call('POST', '/api/v1/documents/register', { key: w.key, body: { task_id: taskId, metadata } });
    expect(first).toMatchObject({
      status: 200,
      body: {
        system_id: expect.stringMatching(UUID),
        external_id: '101476997',
        reg_number: '101476997',
        classified: true,
        classification: { court_region: '14', instance_type: '2', source: 'search_params' },
        created: true,
      },
    });
    const again = await call('POST', '/api/v1/documents/register', { key: w.key, body: { task_id: taskId, metadata } });
    expect(again).toMatchObject({
      status: 200,
      body: { system_id: first.body.system_id, created: false, classified: true },
    });

    const byName = await call('POST', '/api/v1/documents/register', {
      key: w.key,
      body: {
        metadata: {
          url: 'https://reyestr.court.gov.ua/Review/555',
          court_name: 'Вінницький міський суд Вінницької області',
        },
      },
    });
    expect(byName.body).toMatchObject({
      external_id: '555',
      classification: { court_region: '3', instance_type: '1', source: 'court_name' },
    });
    const unclassified = await call('POST', '/api/v1/documents/register', {
      key: w.key,
      body: { metadata: { external_id: '556' } },
    });
    expect(unclassified.body).toMatchObject({ classified: false, classification: null });

    const read = await call('GET', `/api/v1/documents/${first.body.system_id}`, { key: w.key });
    expect(read).toMatchObject({
      status: 200,
      body: {
        system_id: first.body.system_id,
        external_id: '101476997',
        task_id: taskId,
        metadata: { court_name: 'Львівський апеляційний суд', decision_date_iso: '2021-04-21' },
      },
    });
    expect((await call('GET', '/api/v1/documents/101476997', { key: w.key })).body.system_id).toBe(
      first.body.system_id,
    );
    expect(await call('GET', '/api/v1/documents/00000000-0000-4000-8000-000000000000', { key: w.key })).toMatchObject({
      status: 404,
    });
    expect(await call('GET', '/api/v1/documents/nonsense', { key: w.key })).toMatchObject({
      status: 404,
      body: { detail: 'Document nonsense not found' },
    });
  });

  it('register: bad input and unknown tasks', async () => {
    const post = (body: unknown) => call('POST', '/api/v1/documents/register', { body });
    expect((await post({})).body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'metadata'] });
    expect((await post({ metadata: 'x' })).body.detail[0]).toMatchObject({
      type: 'dict_type',
      loc: ['body', 'metadata'],
    });
    const noId = await post({ metadata: { court_name: 'Суд' } });
    expect(noId.status).toBe(422);
    expect(noId.body.detail[0]).toMatchObject({ loc: ['body', 'metadata', 'external_id'] });
    expect((await post({ metadata: { external_id: 'abc' } })).status).toBe(422);
    expect((await post({ task_id: 'nope', metadata: { external_id: '1' } })).body.detail[0]).toMatchObject({
      loc: ['body', 'task_id'],
    });
    const unknown = '00000000-0000-4000-8000-000000000005';
    expect(await post({ task_id: unknown, metadata: { external_id: '1' } })).toMatchObject({
      status: 404,
      body: { detail: `Task ${unknown} not found` },
    });
  });
});
