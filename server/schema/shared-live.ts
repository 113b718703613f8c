// The field extension by which a subscription field says its stream is live-only, so identical subscriptions of
// one caller may share one execution per event (server/graphql/shared-subscriptions.ts): a subscriber joining a
// running stream misses nothing it would have had alone. Not for a replay (afterSeq) or a stream that begins with
// the current state.
export const SHARED_LIVE = 'sharedLive';

/** true, or a test of the field's arguments (e.g. no afterSeq) */
export type SharedLive = true | ((args: Record<string, unknown>) => boolean);
