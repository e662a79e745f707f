import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../../chaos/tcp-proxy.ts';

/** An echo server standing in for the supplier. */
const echo = createServer((socket) => socket.pipe(socket));
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
const target = { host: '127.0.0.1', port: (echo.address() as AddressInfo).port };
afterAll(() => new Promise((resolve) => echo.close(resolve)));

const dial = (url: string) => {
  const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
  socket.on('error', () => undefined);
  return socket;
};
const open = async (url: string) => {
  const socket = dial(url);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
};
const nextData = (socket: Socket) =>
  new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));

describe('the harness TCP proxy', () => {
  it('forwards, cuts off while partitioned (open connections hang, new ones reset or held), and delivers what waited once healed', async () => {
    const proxy = await startTcpProxy(target);
    try {
      const open1 = await open(proxy.url);
      const first = nextData(open1);
      open1.write('before');
      expect(await first).toBe('before');

      proxy.partition();
      let healed = false;
      const arrivals: string[] = [];
      const held = nextData(open1).then((data) => (healed ? arrivals.push(`held:${data}`) : arrivals.push('LEAKED')));
      open1.write('during');
      // The first new connection is reset at once (its close, an event, gives a leak time to show).
      const reset = dial(proxy.url);
      await new Promise((resolve) => reset.once('close', resolve));
      // The next is accepted and held: what it sends waits.
      const blackholed = await open(proxy.url);
      const late = nextData(blackholed).then((data) =>
        healed ? arrivals.push(`new:${data}`) : arrivals.push('LEAKED'),
      );
      blackholed.write('late');

      healed = true;
      expect(proxy.heal()).toEqual({ held: 1, dropped: 1, blackholed: 1 });
      await Promise.all([held, late]);
      expect(arrivals.sort()).toEqual(['held:during', 'new:late']);
      for (const socket of [open1, blackholed]) socket.destroy();
    } finally {
      await proxy.close();
    }
  });
});
