import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_SEARCH_ATTRIBUTES } from '../shared/search-attributes.ts';
import { temporalCliPath } from './temporal-binaries.ts';
import { waitUntilTemporalServes } from './wait.ts';

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
}

const CLI_TYPE_NAMES = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  TEXT: 'Text',
  DOUBLE: 'Double',
  KEYWORD_LIST: 'KeywordList',
} as const;

/** `--search-attribute Name=Type` flags registering the order search attributes (idempotent at each start). */
export const searchAttributeFlags = () =>
  ORDER_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);

export interface DevServerOptions {
  /** Where the SQLite database is kept. */
  dataDir: string;
  port?: number;
  uiPort?: number;
  /** More `start-dev` flags, e.g. dynamic config. */
  extraArgs?: string[];
  /** Where the server's own output goes: this process's (default) or a file descriptor. */
  output?: 'inherit' | number;
}

/**
 * How the dev server keeps its SQLite file, the same for `npm start`, the
 * benchmark, the chaos run and the tests. WAL: readers and the writer do not
 * block each other (about twice the throughput of the default rollback
 * journal on this machine). synchronous=NORMAL: in WAL mode SQLite then
 * syncs to disk only at checkpoints, not at every commit. A crash of the
 * server process loses nothing (the OS has every write); a crash of the
 * machine or a power cut may lose the workflow updates of the last moments
 * before the last checkpoint, never the file's consistency. For a dev
 * server that is the right trade; a production cluster runs on a real
 * database (see docs/production.md).
 */
export const SQLITE_PRAGMAS = ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL'];

/** `temporal server start-dev`, persisted in SQLite under dataDir, with its Web UI and the order search attributes; not yet serving. */
export function spawnTemporalDevServer({
  dataDir,
  port = 7233,
  uiPort = 8233,
  extraArgs = [],
  output = 'inherit',
}: DevServerOptions): DevServer {
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    temporalCliPath(),
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      join(dataDir, 'temporal.sqlite'),
      '--log-level',
      'warn',
      ...SQLITE_PRAGMAS,
      ...searchAttributeFlags(),
      ...extraArgs,
    ],
    { stdio: ['ignore', output, output] },
  );
  return { address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}`, process: child };
}

/** Until the server answers, or fails if it exits first. */
export async function untilServing(server: DevServer): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    server.process.once('exit', (code) => reject(new Error(`temporal dev server exited with code ${code}`))),
  );
  await Promise.race([waitUntilTemporalServes(server.address), exited]);
}

/** The dev server, once it serves. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const server = spawnTemporalDevServer(options);
  await untilServing(server);
  return server;
}
