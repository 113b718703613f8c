// Everything the page knows, in one object the views read and the live updates change.

import { KEY_STORAGE } from './config.js';

export const state = {
  key: sessionStorage.getItem(KEY_STORAGE),
  role: null,
  authEnabled: true,
  ws: null,
  connectedOnce: false,
  online: false,
  /** tasks shown, by id, and their order (newest first, as the gate lists them) */
  tasks: new Map(),
  order: [],
  totalCount: 0,
  endCursor: null,
  hasNext: false,
  filter: { status: [], params: null, clientId: '', createdAfter: null, createdBefore: null },
  /** ids of the plans and follows paused now (pauses.js) */
  pausedPlans: new Set(),
  pausedFollows: new Set(),
  /** the latest stats (tiles), and how far the gate's clock is ahead of this browser's */
  stats: null,
  clockOffsetMs: 0,
  clients: new Map(),
  lastSeq: null,
  /** per task the documents count last seen, and per worker the progress it made (for docs/min) */
  taskDocs: new Map(),
  docSamples: new Map(),
  lateChecked: new Map(),
  detailId: null,
  detail: null,
  coverage: null,
  /** the follows listed and the one whose calendar is open */
  follows: null,
  followId: null,
  view: 'tasks',
};
