/**
 * How long a step's goal may take to be met once its reference solution is applied: a goal is reached
 * in seconds of sandbox traffic (a hold, its seconds after that), but loaded machines stall. The lesson
 * proof (lessons.test.ts) and the browser tests that solve lessons on the page wait this long, no less.
 */
export const SOLVED_WITHIN_MS = 30_000;
