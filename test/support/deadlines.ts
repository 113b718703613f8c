// Deadlines in tests are safety nets, not measures (docs/testing.md "Waiting in tests"): CI runs on a busy 2-core
// box, where a condition that holds in 5 s on a quiet one can honestly take a minute. A wait given a shorter
// deadline at its call site (what the test expects on a quiet box, kept there as a hint) still waits at least
// this long before it fails; a wait whose condition holds returns at once, whatever its deadline.
export const WAIT_FLOOR_MS = 120_000;

/** The deadline a condition wait really uses: the one asked for, but never less than WAIT_FLOOR_MS. */
export const safetyNet = (ms: number): number => Math.max(ms, WAIT_FLOOR_MS);
