import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/util/free-port.ts';
import { waitUntilHealthy } from '../src/dev/wait.ts';
import type { Cleanups } from '../bench/cleanups.ts';
import type { ManagedProcess } from './managed-process.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** The two simulated suppliers, in the order routing tries them: the carrier outage and the partition hit the first. */
export const CHAOS_SUPPLIER_IDS = ['sim-a', 'sim-b'] as const;
/** The supplier the workers reach through the harness's TCP proxy, which can cut them off. */
const PROXIED = 'sim-a';

/** A carrier simulator registered as one of the run's suppliers. */
export interface SimulatedSupplier {
  id: string;
  process: ManagedProcess;
  /** Where the harness reaches it (its own port, restarted on the same). */
  url: string;
  /** Where the workers reach it: through `proxy` when it has one. */
  baseUrl: string;
  proxy?: TcpProxy;
  /** Its books: every request it took and every result, appended and fsync'd before it answers, read back at start. */
  dataFile: string;
}

type NodeProcess = (
  name: string,
  entry: string,
  env: Record<string, string>,
  ready: () => Promise<void>,
) => ManagedProcess;

/** One carrier simulator per supplier, each with its own seed (so they decide independently) and its own books. */
export async function startSimulatedSuppliers(
  node: NodeProcess,
  {
    callbackSecret,
    behaviour,
    dataDir,
    cleanups,
  }: {
    callbackSecret: string;
    behaviour: (supplierId: string) => Record<string, string>;
    dataDir: string;
    cleanups: Cleanups;
  },
): Promise<SimulatedSupplier[]> {
  mkdirSync(dataDir, { recursive: true });
  return Promise.all(
    CHAOS_SUPPLIER_IDS.map(async (id) => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const dataFile = join(dataDir, `${id}.jsonl`);
      const env = {
        CARRIER_SIM_PORT: String(port),
        CARRIER_SIM_NAME: id,
        CARRIER_SIM_DATA_FILE: dataFile,
        CARRIER_CALLBACK_SECRET: callbackSecret,
        LOG_LEVEL: 'info',
        ...behaviour(id),
      };
      const process = node(id, 'src/carrier-sim/main.ts', env, () => waitUntilHealthy(`${url}/_sim/stats`));
      await process.start();
      if (id !== PROXIED) return { id, process, url, baseUrl: url, dataFile };
      const proxy = await startTcpProxy({ host: '127.0.0.1', port });
      cleanups.add(proxy.close);
      return { id, process, url, baseUrl: proxy.url, proxy, dataFile };
    }),
  );
}
