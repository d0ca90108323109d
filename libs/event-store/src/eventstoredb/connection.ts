import { convertToCommandError, EventStoreDBClient, isCommandError } from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../errors';

/**
 * KurrentDB renamed the connection-string schemes; @eventstore/db-client 6 only parses the
 * esdb ones, which take the same host list and options. The rest of the string is kept as given.
 */
const SCHEMES: ReadonlyArray<[RegExp, string]> = [
  [/^(kurrentdb|kdb)\+discover:\/\//i, 'esdb+discover://'],
  [/^(kurrentdb|kdb):\/\//i, 'esdb://'],
];

export function toClientConnectionString(url: string): string {
  for (const [scheme, replacement] of SCHEMES) {
    if (scheme.test(url)) return url.replace(scheme, replacement);
  }
  return url;
}

/**
 * One client per process: it keeps one gRPC channel (reconnecting on its own after UNAVAILABLE or
 * a leader change) and asks the node for its supported methods on the first call that needs them.
 */
export function connectEventStoreDb(url: string): EventStoreDBClient {
  return EventStoreDBClient.connectionString(toClientConnectionString(url));
}

/**
 * Errors of the client that are not the caller's doing (unreachable node, timeout, not leader,
 * access denied by a misconfigured user) become the port's EventStoreUnavailableError; anything
 * else is a bug and is passed on as it is.
 */
export function toStoreError(error: unknown, doing: string): unknown {
  if (error instanceof EventStoreUnavailableError || !(error instanceof Error)) return error;
  // Some calls (the server-features probe) reject with the raw gRPC error rather than the client's.
  const converted = convertToCommandError(error);
  const discoveryFailed = /^Failed to discover after/.test(error.message);
  if (isCommandError(converted) || discoveryFailed) {
    return new EventStoreUnavailableError(`EventStoreDB ${doing} failed: ${error.message}`, { cause: error });
  }
  return error;
}
