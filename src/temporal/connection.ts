import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TemporalSecurity } from './connection-security.ts';

/**
 * gRPC waits up to 2 minutes between reconnection attempts by default, growing
 * after each failure: after an outage of seconds, a start could wait that
 * long for the next attempt. A 1 s ceiling finds a returning server at once.
 */
const RECONNECT_BACKOFF = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 1_000 };

/** A client connected now: fails if the server cannot be reached. */
export async function createTemporalClient(
  address: string,
  namespace: string,
  dataConverter?: DataConverter,
  security: TemporalSecurity = {},
): Promise<Client> {
  const connection = await Connection.connect({ address, channelArgs: RECONNECT_BACKOFF, ...security });
  return new Client({ connection, namespace, ...(dataConverter && { dataConverter }) });
}

/** A client that connects on its first call, so a process that can work without Temporal (the API) starts while it is away. */
export function lazyTemporalClient(
  address: string,
  namespace: string,
  dataConverter?: DataConverter,
  security: TemporalSecurity = {},
): Client {
  return new Client({
    connection: Connection.lazy({ address, channelArgs: RECONNECT_BACKOFF, ...security }),
    namespace,
    ...(dataConverter && { dataConverter }),
  });
}
