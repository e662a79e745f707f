import type { OrderCommand } from './state.ts';
import { view } from '../activity-stubs.ts';

type WriteView = Extract<OrderCommand, { type: 'write-view' }>;

/**
 * The workflow's writes to the order view (local activities), each keyed
 * `workflow:<n>` so a retried write is stored once. They run one at a time,
 * in the order the workflow asked for them: handlers write too, and local
 * activities running side by side would complete in an order a replay
 * cannot reproduce.
 */
export function createViewWriter(orderId: string, eventSeq: number) {
  let queue: Promise<unknown> = Promise.resolve();
  function serially<T>(write: () => Promise<T>): Promise<T> {
    const result = queue.then(write);
    queue = result.catch(() => undefined);
    return result;
  }
  const nextKey = () => `workflow:${++eventSeq}`;

  return {
    /** A key for a write an activity makes itself (the status query records its answer). */
    nextKey,
    /** Runs another local activity (routing) in the same queue, for the same reason. */
    inOrder: serially,
    /** How many keys were handed out; carried over by continue-as-new. */
    eventSeq: () => eventSeq,

    write({ event, detail = {}, transition }: WriteView): Promise<unknown> {
      const eventKey = nextKey();
      if (!transition) return serially(() => view.recordEvent({ orderId, eventKey, type: event, detail }));
      return serially(() => view.recordTransition({ orderId, eventKey, eventType: event, to: transition.to, detail, ...transition.fields }));
    },

    flagForReview(reason: string): Promise<void> {
      const eventKey = nextKey();
      return serially(() => view.flagForReview({ orderId, reason, eventKey }));
    },
  };
}
