/** What the floor's workflow, worker and load generator share. */
import { defineSignal } from '@temporalio/workflow';

export const FLOOR_TASK_QUEUE = 'bench-engine-floor';
export const floorCallbackSignal = defineSignal('callback');
