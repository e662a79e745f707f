// Makes this build (BUILD_ID, or the compiled build's id) the current version of the workers' deployment
// on TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, once one of its workers polls: new orders start on it, orders
// on older builds finish where they started. The deploy step after rolling out a new build's workers.
import { Connection } from '@temporalio/client';
import { loadConfig } from '../src/config.ts';
import { temporalSecurity } from '../src/temporal/connection-security.ts';
import { describeVersion, makeCurrent } from '../src/temporal/worker-deployment.ts';
import { currentBuildId } from '../src/util/build-id.ts';

const config = loadConfig();
if (!config.TEMPORAL_ADDRESS) throw new Error('Set TEMPORAL_ADDRESS');
const version = { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: currentBuildId(config.BUILD_ID) };
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, ...temporalSecurity(config) });
await makeCurrent(connection.workflowService, config.TEMPORAL_NAMESPACE, version, {
  timeoutMs: 300_000,
  identity: 'make-current',
});
const state = await describeVersion(connection.workflowService, config.TEMPORAL_NAMESPACE, version);
console.log(`${version.deploymentName} build ${version.buildId} is ${state?.status ?? 'unknown'}`);
await connection.close();
