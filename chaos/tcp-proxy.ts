import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the partition did to connections, for the report. */
export interface PartitionStats {
  /** Connections open when it began, whose traffic stopped until it ended (a blackhole). */
  held: number;
  /** New connections during it that were reset at once. */
  dropped: number;
  /** New connections during it that were accepted and then got no traffic through until it ended. */
  blackholed: number;
}

/** A TCP proxy of the harness between the workers and a supplier, which can cut them off from each other. */
export interface TcpProxy {
  url: string;
  /** Stops forwarding: open connections hang (nothing passes either way); new ones are, in turn, reset or held. */
  partition(): void;
  /** Forwarding resumes: held connections pass what waited on them, as TCP does when a partition heals. */
  heal(): PartitionStats;
  close: () => Promise<void>;
}

/** One client connection and its upstream to the target (none yet for a connection held since it arrived). */
interface Link {
  client: Socket;
  upstream?: Socket;
}

/** Forwards both ways; each side's end or error ends the other. */
function join(link: Link, target: { host: string; port: number }): void {
  const { client } = link;
  const upstream = connect(target);
  link.upstream = upstream;
  client.on('data', (chunk: Buffer) => upstream.write(chunk));
  upstream.on('data', (chunk: Buffer) => client.write(chunk));
  client.on('end', () => upstream.end());
  upstream.on('end', () => client.end());
  upstream.on('error', () => client.destroy());
  upstream.on('close', () => client.destroy());
  client.on('close', () => upstream.destroy());
}

/**
 * Listens on a free port of 127.0.0.1 and forwards every connection to
 * `target`. While partitioned nothing passes: traffic already on its way
 * waits in the sockets' buffers (a blackhole), and a new connection is
 * either reset (dropped) or accepted and held; when the partition heals,
 * whatever waited is delivered, including requests whose sender has given
 * up meanwhile, as a real network delivers them.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let partitioned = false;
  let stats: PartitionStats = { held: 0, dropped: 0, blackholed: 0 };
  let arrivals = 0;
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const link: Link = { client };
    links.add(link);
    client.on('error', () => undefined);
    client.on('close', () => links.delete(link));
    if (!partitioned) return join(link, target);
    if (arrivals++ % 2 === 0) {
      stats.dropped++;
      client.resetAndDestroy();
      return;
    }
    stats.blackholed++;
    client.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    partition() {
      partitioned = true;
      stats = { held: links.size, dropped: 0, blackholed: 0 };
      for (const { client, upstream } of links) {
        client.pause();
        upstream?.pause();
      }
    },
    heal() {
      partitioned = false;
      for (const link of links) {
        if (!link.upstream) join(link, target);
        link.client.resume();
        link.upstream?.resume();
      }
      return stats;
    },
    close: async () => {
      for (const { client, upstream } of links) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
