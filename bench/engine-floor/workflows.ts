/**
 * The engine floor: the least a recharge order can be on Temporal. One no-op
 * charge activity, one callback signal, and the 180 s SLA timer as a
 * `condition` with a timeout; no HTTP, no database.
 */
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './activities.ts';
import { floorCallbackSignal } from './shared.ts';

const { charge } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });

/** True when the callback came before the 180 s timer. */
export async function benchFloor(): Promise<boolean> {
  let calledBack = false;
  setHandler(floorCallbackSignal, () => void (calledBack = true));
  await charge();
  return condition(() => calledBack, '180s');
}
