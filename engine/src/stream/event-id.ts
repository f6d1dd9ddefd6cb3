/**
 * SSE event ids: `<runId>-<seq>`. The run id is drawn when the engine's bus is made, so an id names
 * the engine run as well as the event: after a restart the seqs start again at 1, and an id from the
 * previous run (or a bare seq from before ids had a run) is recognised as such instead of being taken
 * for a point in this run's history.
 */

/** Lower-case letters and digits: no `-`, so the first `-` of an id ends its run id. */
const RUN_ID = /^[0-9a-z]{1,16}$/;
const EVENT_ID = /^([0-9a-z]{1,16})-(\d{1,15})$/;

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

export function formatEventId(runId: string, seq: number): string {
  return `${runId}-${seq}`;
}

/** The run and seq an id names; undefined for anything that is not `<runId>-<seq>` (a bare number included). */
export function parseEventId(id: string): { runId: string; seq: number } | undefined {
  const match = EVENT_ID.exec(id.trim());
  return match ? { runId: match[1], seq: Number(match[2]) } : undefined;
}
