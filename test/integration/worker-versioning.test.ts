import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalCliPath } from '../../src/dev/temporal-binaries.ts';
import { orderWorkflowId } from '../../src/shared/order-workflow.ts';
import { supplierRequestId } from '../../src/shared/suppliers.ts';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter.ts';
import { parseCodecKeys } from '../../src/temporal/payload-codec.ts';
import { describeVersion, makeCurrent } from '../../src/temporal/worker-deployment.ts';
import { sign } from '../../src/util/signature.ts';
import { modulePath } from '../../src/util/module-path.ts';
import { createOrderWorker } from '../../src/worker/create-worker.ts';
import { startSupplierWorkers, type SupplierWorkers } from '../../src/worker/supplier-workers.ts';
import {
  CALLBACK_SECRET,
  HEALTHY_CARRIER,
  TEST_CODEC_KEYS_ENV,
  TEST_SUPPLIER_ID,
  TEST_VERSION,
  eventually,
  startStack,
  type Stack,
} from './harness.ts';

/**
 * Worker Deployments: an order stays on the build that started it. Build A
 * (the stack's workers) takes an order; build B, whose order workflow cannot
 * replay A's histories (it starts with a timer), is deployed beside it and
 * made current. The order on A finishes on A without a nondeterminism error,
 * a new order runs on B, and A drains.
 */

const BUILD_B = { deploymentName: TEST_VERSION.deploymentName, buildId: 'test-b' };
const { EventType } = proto.temporal.api.enums.v1;
/** The saved query of docs/deploying.md for the workflows still open on a build. */
const OPEN_ON_A = `TemporalWorkerDeploymentVersion = '${TEST_VERSION.deploymentName}:${TEST_VERSION.buildId}' AND ExecutionStatus = 'Running'`;

let stack: Stack;
let workerB: Worker;
let runningB: Promise<void>;
let supplierWorkersB: SupplierWorkers;

/** What the operator's CLI shows of a version. */
async function cliDescribeVersion(buildId: string): Promise<{ drainageInfo?: { drainageStatus?: string } }> {
  const { stdout } = await promisify(execFile)(temporalCliPath(), [
    'worker',
    'deployment',
    'describe-version',
    '--deployment-name',
    TEST_VERSION.deploymentName,
    '--build-id',
    buildId,
    '--address',
    stack.env.address,
    '-o',
    'json',
  ]);
  return JSON.parse(stdout) as { drainageInfo?: { drainageStatus?: string } };
}

async function submit(merchantOrderNo: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.merchant.headers },
    body: JSON.stringify({ merchantOrderNo, phone: '13812345678', amount: 50 }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

/** The build an order's workflow is pinned to, whether any of its workflow tasks failed (a nondeterminism error would), and whether its code began with a timer (B's does). */
async function runOf(orderId: string) {
  const handle = stack.env.client.workflow.getHandle(orderWorkflowId(orderId));
  const { raw } = await handle.describe();
  const events = (await handle.fetchHistory()).events ?? [];
  const firstCommand =
    events[events.findIndex((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) + 1];
  return {
    buildId: raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId,
    failedTasks: events.filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).length,
    startsWithTimer: firstCommand?.eventType === EventType.EVENT_TYPE_TIMER_STARTED,
  };
}

beforeAll(async () => {
  // The server checks whether a version has drained after a grace period, then at intervals (3 minutes each by default).
  stack = await startStack({
    devServerArgs: [
      '--dynamic-config-value',
      'matching.wv.VersionDrainageStatusVisibilityGracePeriod="3s"',
      '--dynamic-config-value',
      'matching.wv.VersionDrainageStatusRefreshInterval="1s"',
    ],
  });
}, 60_000);

afterAll(async () => {
  workerB?.shutdown();
  await runningB;
  await supplierWorkersB?.shutdown();
  await stack?.stop();
});

describe('worker versioning: an order stays on the build that started it', () => {
  it('finishes an order on build A after an incompatible build B is made current, runs new orders on B, and drains A', async () => {
    // Build A takes the order; the supplier takes it and calls back only when told to (below).
    stack.simulator.configure({ callbackLossRate: 1 });
    const onA = await submit('versioning-on-a');
    await eventually(async () => ((await stack.orders.findById(onA))?.status === 'PROCESSING' ? true : undefined));
    expect(await describeVersion(stack.env.client.workflowService, 'default', TEST_VERSION)).toMatchObject({
      status: 'current',
    });

    // Build B beside it, on every task queue A serves, then current.
    const dataConverter = createDataConverter(parseCodecKeys(TEST_CODEC_KEYS_ENV));
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: modulePath('../fixtures/workflows/incompatible-build.ts', import.meta.url),
      failureConverterPath: FAILURE_CONVERTER_PATH,
    });
    const connection = stack.env.nativeConnection;
    workerB = await createOrderWorker({
      connection,
      namespace: 'default',
      deps: stack.workerDeps,
      dataConverter,
      workflowBundle,
      version: BUILD_B,
    });
    runningB = workerB.run();
    supplierWorkersB = await startSupplierWorkers({
      connection,
      namespace: 'default',
      deps: stack.workerDeps,
      dataConverter,
      version: BUILD_B,
      syncEveryMs: 500,
    });
    await makeCurrent(stack.env.client.workflowService, 'default', BUILD_B);
    expect((await cliDescribeVersion(TEST_VERSION.buildId)).drainageInfo?.drainageStatus).toMatch(/draining/i);

    // A new order runs B's code (its timer first), pinned to B.
    stack.simulator.configure(HEALTHY_CARRIER);
    const onB = await submit('versioning-on-b');
    await (await stack.workflowOf(onB)).result();
    expect(await runOf(onB)).toEqual({ buildId: BUILD_B.buildId, failedTasks: 0, startsWithTimer: true });

    // The operators' saved query (docs/deploying.md) finds what keeps A running.
    const openOnA = async () => (await stack.env.client.workflow.count(OPEN_ON_A)).count;
    expect(await eventually(async () => ((await openOnA()) === 1 ? 1 : undefined))).toBe(1);

    // The supplier's callback for the order on A: A's worker finishes it, with no failed workflow task (B could not have replayed it).
    const order = await stack.orders.findById(onA);
    const body = JSON.stringify({
      orderId: supplierRequestId(onA, 1),
      carrierOrderId: order?.carrierOrderId,
      status: 'SUCCESS',
      timestamp: new Date().toISOString(),
    });
    const callback = await fetch(`${stack.apiUrl}/callbacks/suppliers/${TEST_SUPPLIER_ID}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Signature': sign(CALLBACK_SECRET, body) },
      body,
    });
    expect(callback.status).toBe(200);
    expect(await (await stack.workflowOf(onA)).result()).toMatchObject({ status: 'SUCCEEDED' });
    expect(await runOf(onA)).toEqual({ buildId: TEST_VERSION.buildId, failedTasks: 0, startsWithTimer: false });

    await eventually(async () => ((await openOnA()) === 0 ? true : undefined));
    // Nothing open is pinned to A any more: the server marks it drained, and the operator sees it so.
    await eventually(
      async () =>
        (await describeVersion(stack.env.client.workflowService, 'default', TEST_VERSION))?.drainage === 'drained'
          ? true
          : undefined,
      30_000,
    );
    expect((await cliDescribeVersion(TEST_VERSION.buildId)).drainageInfo?.drainageStatus).toMatch(/drained/i);
  }, 90_000);
});
