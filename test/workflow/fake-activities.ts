import { Context } from '@temporalio/activity';
import type { Activities } from '../../src/activities/index.ts';
import {
  supplierRequestId,
  type RouteDecision,
  type RouteInput,
  type SupplierActivities,
  type SupplierAttemptInput,
  type SupplierStatusInput,
} from '../../src/shared/suppliers.ts';
import type { EscalationAlert, RecordTransitionInput, RefundResult } from '../../src/shared/order-activities.ts';
import type { CarrierStatus, CarrierSubmission } from '../../src/shared/carrier-protocol.ts';
import type { OrderStatus } from '../../src/shared/order-status.ts';

/** A fake submission refused with this reason plays a supplier whose status endpoint never heard of the request. */
export const NEVER_RECEIVED = 'the supplier never received the request';

/** What a submission carried: the attempt's supplier, request id and number (`supplierAttempt`). */
type SubmitInput = Omit<SupplierAttemptInput, 'attempt'> & { supplierAttempt: number };
type SubmitBehaviour = (input: SubmitInput, attempt: number) => Promise<CarrierSubmission>;
type RouteBehaviour = (input: RouteInput, taskQueue: string) => Promise<RouteDecision>;

/** Routes to the first of `suppliers` that has not declined the order (one resting only if no other is left), on the test's own task queue. */
export const firstSupplierOf =
  (suppliers: string[]): RouteBehaviour =>
  async (input, taskQueue) => {
    const open = suppliers.filter((id) => !input.declined.includes(id));
    const supplierId = open.find((id) => !input.resting.includes(id)) ?? open[0];
    const skipped = input.declined.map((id) => ({ supplierId: id, reason: 'declined this order', lasting: true }));
    if (supplierId === undefined) return { kind: 'none-left', skipped };
    return {
      kind: 'chosen',
      supplierId,
      taskQueue,
      requestId: supplierRequestId(input.orderId, input.attempt),
      costFen: 4850,
      probe: false,
      skipped,
    };
  };
type NotifyBehaviour = (orderId: string, attempt: number) => Promise<void>;
type StatusBehaviour = (input: SupplierStatusInput) => Promise<CarrierStatus>;
type RefundBehaviour = (orderId: string, attempt: number) => Promise<RefundResult>;

const notInOrderWorkflows = async (): Promise<never> => {
  throw new Error('a reconciliation activity, never called by order workflows');
};

/**
 * Activities that stand in for the suppliers and the order view, recording
 * every call, so workflow tests assert what the workflow asked for.
 */
export function fakeActivities({
  submit = async () => ({ outcome: 'accepted', carrierOrderId: 'C-1' }),
  status = async () => ({ state: 'PROCESSING', carrierOrderId: 'C-1' }),
  notify = async () => undefined,
  refund = async () => ({ outcome: 'refunded', amountFen: 5000 }),
  route = firstSupplierOf(['sim-a']),
}: {
  submit?: SubmitBehaviour;
  status?: StatusBehaviour;
  notify?: NotifyBehaviour;
  refund?: RefundBehaviour;
  route?: RouteBehaviour;
} = {}) {
  const calls = {
    submits: [] as (SubmitInput & { attempt: number })[],
    routes: [] as RouteInput[],
    statusQueries: [] as SupplierStatusInput[],
    transitions: [] as RecordTransitionInput[],
    reviewFlags: [] as string[],
    events: [] as { eventKey: string; type: string; detail: Record<string, unknown> }[],
    notifications: [] as { orderId: string; attempt: number }[],
    notificationsGivenUp: [] as string[],
    alerts: [] as EscalationAlert[],
    refunds: [] as { orderId: string; attempt: number; statusesBefore: OrderStatus[] }[],
  };
  const waiters: { status: OrderStatus; resolve: () => void }[] = [];
  const flaggedKeys = new Set<string>();

  const activities: Activities & SupplierActivities = {
    async routeOrder(input) {
      calls.routes.push(input);
      return route(input, Context.current().info.taskQueue);
    },
    async submitToSupplier({ attempt: supplierAttempt, ...input }) {
      const tries = Context.current().info.attempt;
      const submission = { ...input, supplierAttempt };
      calls.submits.push({ ...submission, attempt: tries });
      const answer = await submit(submission, tries);
      const neverReceived = answer.outcome === 'refused' && answer.reason === NEVER_RECEIVED;
      return {
        ...(answer.outcome === 'accepted'
          ? answer
          : { outcome: 'declined', reason: answer.reason, ...(neverReceived && { neverReceived }) }),
        tries,
      };
    },
    async querySupplierStatus(input) {
      calls.statusQueries.push(input);
      return status(input);
    },
    async recordTransition(input) {
      // Local activities may be retried; keep one record per event key, as the database does.
      if (!calls.transitions.some((t) => t.eventKey === input.eventKey)) calls.transitions.push(input);
      for (const waiter of waiters.filter((w) => w.status === input.to)) waiter.resolve();
      return true;
    },
    async recordEvent({ eventKey, type, detail }) {
      if (!calls.events.some((e) => e.eventKey === eventKey)) calls.events.push({ eventKey, type, detail });
    },
    async flagForReview({ reason, eventKey }) {
      if (!flaggedKeys.has(eventKey)) calls.reviewFlags.push(reason);
      flaggedKeys.add(eventKey);
    },
    async notifyMerchant({ orderId }) {
      const { attempt } = Context.current().info;
      calls.notifications.push({ orderId, attempt });
      await notify(orderId, attempt);
    },
    async recordNotificationGaveUp({ orderId }) {
      calls.notificationsGivenUp.push(orderId);
    },
    async raiseEscalationAlert(alert) {
      calls.alerts.push(alert);
    },
    async refundOrder({ orderId }) {
      const { attempt } = Context.current().info;
      calls.refunds.push({ orderId, attempt, statusesBefore: calls.transitions.map((t) => t.to) });
      return refund(orderId, attempt);
    },
    reverseOrder: notInOrderWorkflows,
    beginReconciliation: notInOrderWorkflows,
    reconcileOrderMoney: notInOrderWorkflows,
    reconcileBalances: notInOrderWorkflows,
    reconcileStaleOrders: notInOrderWorkflows,
    finishReconciliation: notInOrderWorkflows,
    billedSupplierIds: notInOrderWorkflows,
    reconcileSupplierBill: notInOrderWorkflows,
    issueClosedStatements: notInOrderWorkflows,
  };

  return {
    activities,
    calls,
    /** Resolves once the workflow has written `status` to the order view. */
    reached(status: OrderStatus): Promise<void> {
      if (calls.transitions.some((t) => t.to === status)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ status, resolve }));
    },
    statuses: () => calls.transitions.map((t) => t.to),
  };
}

/** A promise with its resolve function, for activities a test holds open. */
export function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
