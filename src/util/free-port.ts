import { createServer } from 'node:net';

/**
 * Ports are picked below Linux's ephemeral range (32768–60999 by default),
 * where outgoing connections take their local ports: a port picked there can
 * be taken by a client connection before its server binds it, and stay taken
 * for as long as that (pooled) connection lives.
 */
const LOWEST = 20_000;
const HIGHEST = 32_767;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Bound as the servers bind (all interfaces), so a port taken on any of them is not picked.
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, () => server.close(() => resolve(true)));
  });
}

/** A port nobody listens on right now, outside the range the system hands to outgoing connections. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST}`);
}
