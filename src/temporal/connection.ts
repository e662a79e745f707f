import { Client, Connection } from '@temporalio/client';

/**
 * gRPC waits up to 2 minutes between reconnection attempts by default, growing
 * after each failure: after an outage of seconds, a start could wait that
 * long for the next attempt. A 1 s ceiling finds a returning server at once.
 */
const RECONNECT_BACKOFF = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 1_000 };

export async function createTemporalClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, channelArgs: RECONNECT_BACKOFF });
  return new Client({ connection, namespace });
}
