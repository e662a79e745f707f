/**
 * Worker Deployments (worker versioning): every worker of a build declares
 * itself a version of one deployment, and an order stays on the version that
 * started it (PINNED) until it completes, so a new build may change the
 * order's code freely. A new version takes new orders once it is made
 * current; the old one drains and is retired. The TypeScript client has no
 * calls for this yet: these are the server's own (workflowService).
 */
import type { WorkerOptions } from '@temporalio/worker';
import proto from '@temporalio/proto';

export interface WorkerVersion {
  deploymentName: string;
  buildId: string;
}

/** What each worker of a build declares: its version, and that its workflows stay on it. */
export function versionedWorker(version: WorkerVersion): NonNullable<WorkerOptions['workerDeploymentOptions']> {
  return { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' };
}

type WorkflowService = proto.temporal.api.workflowservice.v1.WorkflowService;

const VersionStatus = proto.temporal.api.enums.v1.WorkerDeploymentVersionStatus;
const Drainage = proto.temporal.api.enums.v1.VersionDrainageStatus;

export interface VersionState {
  /** inactive, current, ramping, draining, drained (the server's status, lower-cased). */
  status: string;
  /** Whether orders pinned to it are still open, as the server last checked. */
  drainage: 'draining' | 'drained' | undefined;
}

/** A version as the server sees it, or undefined while no worker of it has polled. */
export async function describeVersion(
  service: WorkflowService,
  namespace: string,
  version: WorkerVersion,
): Promise<VersionState | undefined> {
  try {
    const { workerDeploymentVersionInfo: info } = await service.describeWorkerDeploymentVersion({
      namespace,
      deploymentVersion: version,
    });
    const status =
      VersionStatus[info?.status ?? 0]?.replace('WORKER_DEPLOYMENT_VERSION_STATUS_', '').toLowerCase() ?? 'unspecified';
    const drainage = info?.drainageInfo?.status;
    return {
      status,
      drainage:
        drainage === Drainage.VERSION_DRAINAGE_STATUS_DRAINING
          ? 'draining'
          : drainage === Drainage.VERSION_DRAINAGE_STATUS_DRAINED
            ? 'drained'
            : undefined,
    };
  } catch (error) {
    if ((error as { code?: number }).code === 5) return undefined; // NOT_FOUND: no worker of this version has polled yet
    throw error;
  }
}

/**
 * Makes `version` current: new orders start on it, orders on other versions
 * stay where they are. Waits (up to `timeoutMs`) for a worker of it to poll,
 * as the server knows a version only from its workers.
 */
export async function makeCurrent(
  service: WorkflowService,
  namespace: string,
  version: WorkerVersion,
  { timeoutMs = 60_000, identity = 'recharge-orders' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await describeVersion(service, namespace, version))) {
    if (Date.now() > deadline)
      throw new Error(`no worker of ${version.deploymentName} build ${version.buildId} polled within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // A worker process starts its supplier workers after its order worker: their queues join the version moments later.
  await service.setWorkerDeploymentCurrentVersion({
    namespace,
    deploymentName: version.deploymentName,
    buildId: version.buildId,
    identity,
    ignoreMissingTaskQueues: true,
  });
}
