/** The engine floor's worker, a process of its own like the order worker. */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { floorActivities } from './activities.ts';
import { FLOOR_TASK_QUEUE } from './shared.ts';

const address = process.env.TEMPORAL_ADDRESS;
if (!address) throw new Error('TEMPORAL_ADDRESS is required');
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  taskQueue: FLOOR_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities: floorActivities,
});
await worker.run();
await connection.close();
