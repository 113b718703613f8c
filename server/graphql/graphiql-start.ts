// What GraphiQL's page runs before GraphiQL itself (served as start.js by graphiql.ts): where Monaco finds its
// workers, the example tabs a first visit opens with, and one API key for everything. GraphiQL keeps headers per
// tab and sends them only over HTTP; its WebSocket (subscriptions) would go without a key and be refused. So the
// key typed into any tab's Headers pane (`{"X-API-Key": "…"}` or `Authorization: Bearer …`) is used by every
// tab — added to HTTP requests that carry none — and sent as `connectionParams.apiKey` when the WebSocket opens.

/** The example operations a first visit opens with (GraphiQL keeps the user's own tabs after that). */
export const GRAPHIQL_TABS: Array<{ query: string; variables?: string; headers?: string }> = [
  {
    headers: '{\n  "X-API-Key": ""\n}',
    query: `# Welcome to the reyestr gate.
#
# 1. Put an API key into Headers (below): {"X-API-Key": "…"}. One tab is enough: every tab and the live
#    subscriptions use it. The gate printed an admin key on its first start; make more with
#    \`reyestr keys create --name me --role admin\` or the createApiKey mutation.
# 2. Re-fetch the schema (the ↻ button at the bottom left) and open the docs (the book icon): every type and
#    field is described there.
# 3. Run (Ctrl-Enter). The other tabs hold a worker's conversation and a live event subscription.
query Overview {
  me { role authEnabled }
  stats(minutes: 60) { tasksByStatus { status count } activeClients documentsPerMinute }
  tasks(first: 5) { totalCount edges { node { id status kind searchParams documentsDownloaded } } }
}
`,
  },
  {
    query: `# A worker's conversation with the gate, in order (run each by name with the ▶ menu).
# Fill the variables from the answers: clientId from registerClient, taskId and leaseToken from claimTask.
mutation Register { registerClient(input: { name: "graphiql-worker", host: "my-box", version: "0.1.0" }) { id } }

mutation Claim($clientId: ID!) {
  claimTask(input: { clientId: $clientId }) { leaseToken leaseExpiresAt task { id searchParams startPage maxDocuments } }
}

mutation Heartbeat($clientId: ID!, $taskId: ID!) {
  heartbeat(input: { clientId: $clientId, taskIds: [$taskId] }) { revokedTaskIds leaseSeconds }
}

mutation Progress($taskId: ID!, $leaseToken: String!) {
  reportProgress(input: { taskId: $taskId, leaseToken: $leaseToken, documentsDownloaded: 1, totalExpected: 10 }) { leaseExpiresAt }
}

mutation Complete($taskId: ID!, $leaseToken: String!) {
  completeTask(input: { taskId: $taskId, leaseToken: $leaseToken, documentsDownloaded: 10 }) { status }
}
`,
    variables: '{\n  "clientId": "",\n  "taskId": "",\n  "leaseToken": ""\n}',
  },
  {
    query: `# Live: every task event from the log after seq 0, then new ones as they happen (over the WebSocket).
# Create a task meanwhile (reyestr tasks create -p CourtRegion=11) or run a worker to see it move.
subscription LiveTaskEvents {
  taskEvents(afterSeq: 0) { seq type status taskId createdAt client { name } }
}
`,
  },
];

/** The start script: Monaco's worker URLs, the shared key, then GraphiQL with the example tabs. */
export function graphiqlStartScript(workers: Record<string, string>, options: Record<string, unknown>): string {
  return `self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_id, label) => (${JSON.stringify(workers)})[label] };
(() => {
  const endpoint = new URL(${JSON.stringify(options.endpoint)}, location.href).href;
  const keyIn = (headers) => {
    let found = null;
    try {
      const entries = headers instanceof Headers ? [...headers] : Object.entries(typeof headers === 'string' ? JSON.parse(headers) : headers ?? {});
      for (const [name, value] of entries) {
        if (/^x-api-key$/i.test(name) && String(value).trim()) found = String(value).trim();
        const bearer = /^authorization$/i.test(name) && /^Bearer\\s+(\\S+)/i.exec(String(value));
        if (bearer) found = bearer[1];
      }
    } catch {}
    return found;
  };
  let lastSent = null;
  // The active tab's key, else any tab's (GraphiQL saves its tabs, headers included, in localStorage), else the
  // last one a request carried.
  const sharedKey = () => {
    try {
      const state = JSON.parse(localStorage.getItem('graphiql:tabState') ?? 'null');
      const tabs = state?.tabs ?? [];
      const active = keyIn(tabs[state?.activeTabIndex]?.headers);
      if (active) return active;
      for (const tab of tabs) if (keyIn(tab.headers)) return keyIn(tab.headers);
    } catch {}
    return lastSent;
  };
  const fetchAsIs = globalThis.fetch.bind(globalThis);
  globalThis.fetch = (input, init = {}) => {
    const url = typeof input === 'string' ? input : input.url ?? String(input);
    if (new URL(url, location.href).href.split('?')[0] !== endpoint) return fetchAsIs(input, init);
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!(headers.get('x-api-key') ?? '').trim()) headers.delete('x-api-key'); // the example tab's empty one
    const own = keyIn(headers);
    if (own) lastSent = own;
    else if (sharedKey()) headers.set('x-api-key', sharedKey());
    return fetchAsIs(input, { ...init, headers });
  };
  window.addEventListener('DOMContentLoaded', () =>
    YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), {
      ...${JSON.stringify({ ...options, defaultTabs: GRAPHIQL_TABS })},
      connectionParams: () => (sharedKey() ? { apiKey: sharedKey() } : {}),
    }),
  );
})();
`;
}
