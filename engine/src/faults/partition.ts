/**
 * The sending side of a `partition` fault: the connector a node's upstream pool opens connections
 * with. While the edge is partitioned, a new connection fails as a network would make it fail:
 * `drop` (a firewall dropping the SYN) never completes, so the caller's own connect timeout fires
 * (undici's ConnectTimeoutError, 504 EDGE_UPSTREAM_CONNECT_TIMEOUT); `reject` (a firewall answering
 * with a reset) is refused at once (ECONNREFUSED, 502 EDGE_UPSTREAM_REFUSED). Otherwise it is undici's
 * own connector. The check is made per new connection, never per request.
 */
import { buildConnector, errors } from 'undici';

export type PartitionMode = 'drop' | 'reject';

/** undici's connector, or a failing one while `partitionOf(options)` names a mode for the connection's origin. */
export function partitionableConnector(
  connectTimeout: number,
  partitionOf: (options: buildConnector.Options) => PartitionMode | undefined,
): buildConnector.connector {
  const connect = buildConnector({ timeout: connectTimeout });
  return (options, callback) => {
    const mode = partitionOf(options);
    if (mode === undefined) return connect(options, callback);
    if (mode === 'reject') {
      const refused = Object.assign(new Error(`connect ECONNREFUSED ${options.hostname}:${options.port} (partition: rejected)`), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
      });
      setImmediate(() => callback(refused, null));
      return;
    }
    setTimeout(
      () => callback(new errors.ConnectTimeoutError(`Connect Timeout Error (partition: dropped, ${connectTimeout} ms)`), null),
      connectTimeout,
    ).unref();
  };
}
