import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createSupplierCallActivities, type SupplierCallDeps } from '../activities/supplier-calls.ts';
import type { SupplierRepository } from '../db/supplier-repository.ts';
import { pacedRatePerSecond } from '../suppliers/limits.ts';
import { supplierTaskQueue } from '../shared/suppliers.ts';
import { versionedWorker, type WorkerVersion } from '../temporal/worker-deployment.ts';
import { SHUTDOWN_GRACE_TIME } from './create-worker.ts';

export interface SupplierWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  deps: SupplierCallDeps & { suppliers: Pick<SupplierRepository, 'list'> };
  /** How often the suppliers' limits are read again. */
  syncEveryMs?: number;
  onError?: (error: unknown) => void;
  dataConverter?: DataConverter | undefined;
  /** The Worker Deployment version of the process: its supplier calls are the version's too. */
  version?: WorkerVersion | undefined;
}

/** A supplier's worker: its own task queue, at its rate and concurrency limits. */
const supplierWorkerOptions = ({
  id,
  rateLimitPerSecond,
  concurrencyLimit,
}: {
  id: string;
  rateLimitPerSecond: number;
  concurrencyLimit: number;
}) => ({
  taskQueue: supplierTaskQueue(id),
  // The server hands out calls at the paced rate, so the queue (not sleeping activities) holds a burst.
  maxTaskQueueActivitiesPerSecond: pacedRatePerSecond(rateLimitPerSecond),
  maxConcurrentActivityTaskExecutions: concurrencyLimit,
});

/**
 * One activity worker per supplier, on the supplier's own task queue. Its
 * rate limit is the server's `maxTaskQueueActivitiesPerSecond`, which holds
 * for the queue whatever the number of workers (a burst waits in the queue),
 * and the calls' own pacing, which trims the server's token-bucket bursts
 * (see reserveCallSlot). Its concurrency limit is held by slots in the
 * database, shared by every worker (see acquireConcurrencySlot); one worker
 * alone takes no more calls than the limit either. When an admin changes a
 * supplier's limits, its worker is replaced
 * within `syncEveryMs` (the old one finishes what it runs). A failed read of
 * the suppliers or a failed worker goes to `onError` and is tried again at the
 * next sync.
 */
export async function startSupplierWorkers({
  connection,
  namespace,
  deps,
  syncEveryMs = 2_000,
  onError = () => undefined,
  dataConverter,
  version,
}: SupplierWorkersOptions) {
  const common = {
    connection,
    namespace,
    activities: createSupplierCallActivities(deps),
    ...(dataConverter && { dataConverter }),
    ...(version && { workerDeploymentOptions: versionedWorker(version) }),
    shutdownGraceTime: SHUTDOWN_GRACE_TIME,
  };
  const running = new Map<string, { limits: string; worker: Worker }>();
  const finishing: Promise<void>[] = [];
  let stopped = false;

  async function sync(): Promise<void> {
    for (const supplier of await deps.suppliers.list()) {
      const limits = `${supplier.rateLimitPerSecond}/${supplier.concurrencyLimit}`;
      const current = running.get(supplier.id);
      if (stopped || current?.limits === limits) continue;
      current?.worker.shutdown();
      const worker = await Worker.create({ ...common, ...supplierWorkerOptions(supplier) });
      running.set(supplier.id, { limits, worker });
      // A worker that fails is started again by the next sync; it must never take the process down.
      const done = worker.run().catch((error: unknown) => {
        if (running.get(supplier.id)?.worker === worker) running.delete(supplier.id);
        onError(error);
      });
      finishing.push(done);
    }
  }

  // The database may be restarting as the worker starts: the next sync tries again.
  await sync().catch(onError);
  let syncing = Promise.resolve();
  const timer = setInterval(() => {
    syncing = syncing.then(sync).catch(onError);
  }, syncEveryMs);

  return {
    /** Reads the suppliers now (tests: a new supplier's worker without waiting for the next sync). */
    sync: () => (syncing = syncing.then(sync)),
    /** Stops every supplier worker; in-flight calls finish first. */
    async shutdown(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await syncing;
      for (const { worker } of running.values()) if (worker.getState() === 'RUNNING') worker.shutdown();
      await Promise.all(finishing);
    },
  };
}

export type SupplierWorkers = Awaited<ReturnType<typeof startSupplierWorkers>>;
