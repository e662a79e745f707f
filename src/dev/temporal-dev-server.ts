import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { temporalCliPath } from './temporal-binaries.ts';

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
}

/** `temporal server start-dev`, persisted in SQLite under dataDir, with its Web UI. */
export async function startTemporalDevServer(dataDir: string, port = 7233, uiPort = 8233): Promise<DevServer> {
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    temporalCliPath(),
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--db-filename', join(dataDir, 'temporal.sqlite'), '--log-level', 'warn'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const address = `127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`temporal dev server exited with code ${code}`))));
  await Promise.race([waitUntilServing(address), exited]);
  return { address, uiUrl: `http://127.0.0.1:${uiPort}`, process: child };
}

async function waitUntilServing(address: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not come up: ${(error as Error).message}`);
      await sleep(250);
    }
  }
}
