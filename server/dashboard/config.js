// Constants of the page: where the gate is, page sizes, thresholds, the fields every query asks for.

export const KEY_STORAGE = 'reyestr.dashboard.apiKey';
export const GRAPHQL_URL = new URL('../graphql', location.href).href;
export const WS_URL = GRAPHQL_URL.replace(/^http/, 'ws');
export const THROUGHPUT_MINUTES = 60;
export const PAGE_SIZE = 50;
/** A worker heartbeats every third of the lease (60 s by default): a whole lease without one is late. */
export const LATE_AFTER_SECONDS = 60;
export const DOCS_RATE_WINDOW_MS = 5 * 60_000;
/** The documents/min tile: the full minutes it averages over (from the gate's per-minute rollup). */
export const RATE_TILE_MINUTES = 5;
export const STATUSES = ['PENDING', 'CLAIMED', 'RUNNING', 'COMPLETED', 'FAILED', 'DEAD', 'CANCELLED'];
export const ACTIVE = new Set(['CLAIMED', 'RUNNING']);
export const CANCELLABLE = new Set(['PENDING', 'CLAIMED', 'RUNNING']);
export const RETRYABLE = new Set(['FAILED', 'DEAD', 'CANCELLED']);

export const TASK_FIELDS = `id kind status priority attempts maxAttempts stalls searchParams startPage maxDocuments
  documentsDownloaded documentsFailed documentsSkipped totalExpected lastError lastErrorClass
  createdAt updatedAt planId followId leaseHolder { id name }`;
export const CLIENT_FIELDS = `id name host version status paused lastHeartbeatAt tasksCompleted tasksFailed documentsDownloaded
  currentTasks { id status documentsDownloaded totalExpected maxDocuments }`;
export const EVENT_FIELDS = `seq type status taskId clientId createdAt data client { name }`;
