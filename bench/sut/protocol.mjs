/**
 * The tiny protocol between the harness and a system-under-test child. Once it listens, the child
 * prints one line `READY {json}` on stdout (`port` is the entry the load generator hits; other fields
 * are case-specific). A child that cannot run its case (say, the engine is not written yet) prints
 * `UNAVAILABLE <reason>` and exits, and the harness skips the case with that reason. SIGTERM or
 * SIGINT shuts the child down cleanly.
 */
export const READY = 'READY ';
export const UNAVAILABLE = 'UNAVAILABLE ';

export function announceReady(info) {
  process.stdout.write(`${READY}${JSON.stringify(info)}\n`);
}

export function announceUnavailable(reason) {
  process.stdout.write(`${UNAVAILABLE}${reason.replace(/\s+/g, ' ')}\n`);
  process.exit(3);
}

export function stopOnSignal(stop) {
  const onSignal = () => {
    Promise.resolve()
      .then(stop)
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
