import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { TASK_QUEUE } from '../shared/order-workflow.ts';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter.ts';
import { versionedWorker, type WorkerVersion } from '../temporal/worker-deployment.ts';
import { modulePath } from '../util/module-path.ts';

/** How long running activities get to finish when the worker shuts down (a deploy's SIGTERM). */
export const SHUTDOWN_GRACE_TIME = '10s';

export const WORKFLOWS_PATH = modulePath('../workflows/index.ts', import.meta.url);

/** Bundles the workflow code once, e.g. for a test file that creates several workers, or `npm run build`. */
export function bundleOrderWorkflows(): Promise<WorkflowBundleOption & { code: string }> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH });
}

/** The prebuilt workflow bundle, as the compiled worker (dist/src/worker/) finds it: dist/workflow-bundle.js, written by `npm run build`. */
export const PREBUILT_BUNDLE_PATH = modulePath('../../workflow-bundle.js', import.meta.url);

export interface OrderWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  workflowBundle?: WorkflowBundleOption;
  dataConverter?: DataConverter | undefined;
  /** The Worker Deployment version it runs as (orders stay on the version that started them); unversioned without. */
  version?: WorkerVersion | undefined;
}

/** The worker of the order task queue: the order workflow plus activities over real or fake dependencies. */
export function createOrderWorker({
  connection,
  namespace,
  deps,
  workflowBundle,
  dataConverter,
  version,
}: OrderWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    ...(dataConverter && { dataConverter }),
    ...(version && { workerDeploymentOptions: versionedWorker(version) }),
    taskQueue: TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(deps),
    // On SIGTERM the worker stops polling and gives running activities this long to finish before cancelling them.
    shutdownGraceTime: SHUTDOWN_GRACE_TIME,
  });
}
