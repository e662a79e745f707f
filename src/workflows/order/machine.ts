/**
 * The order's rules as one table: in stage S, on event E, the rule that
 * gives the next stage and the commands. `decide` is a pure function of
 * (state, event); the workflow (src/workflows/recharge-order.ts) feeds it
 * events and carries out its commands, whose results come back as events.
 * An event a stage has no rule for is recorded where it tells something, and
 * changes nothing else.
 */
import { OrderEvent } from '../../shared/order-events.ts';
import { Draft } from './draft.ts';
import { onRetryStatus, onOperatorDecision } from './operator-rules.ts';
import { onCallback, onDeadline, onDeadlineStatus, onRefunded, recordStatus } from './outcome-rules.ts';
import type { Decision, MachineEvent, MachineEventType, OrderMachine, StageName } from './state.ts';
import { onRouteDecided, onSupplierAnswered, onSupplierUnreachable, route } from './supplier-rules.ts';

type Rule<T extends MachineEventType = MachineEventType> = (
  draft: Draft,
  event: Extract<MachineEvent, { type: T }>,
) => void;
type Rules = { [T in MachineEventType]?: Rule<T> };

const answered: Rules = {
  'supplier-answered': (draft, { attempt, answer }) => onSupplierAnswered(draft, attempt, answer),
  'supplier-unreachable': (draft, { attempt, error }) => onSupplierUnreachable(draft, attempt, error),
};
const beforeDeadline: Rules = {
  ...answered,
  callback: (draft, { callback }) => onCallback(draft, callback),
  'deadline-reached': (draft) => onDeadline(draft),
};
const statusOfRetry: Rules = {
  'status-answered': (draft, { purpose, attempt, answer }) =>
    purpose === 'operator-retry'
      ? onRetryStatus(draft, attempt, answer)
      : recordStatus(draft, draft.attempt(attempt), purpose, answer),
  'status-unavailable': (draft, { purpose, attempt, error }) =>
    purpose === 'operator-retry'
      ? onRetryStatus(draft, attempt, undefined, error)
      : recordStatus(draft, draft.attempt(attempt), purpose, undefined, error),
};

/** The table. */
const RULES: Record<StageName, Rules> = {
  routing: {
    ...beforeDeadline,
    // A first route chosen where the workflow was started is taken as the router's answer.
    started: (draft) => {
      if (draft.stage.name !== 'routing') return;
      const { firstRoute } = draft.machine.facts;
      if (firstRoute) onRouteDecided(draft, firstRoute);
      else route(draft, draft.stage.deadlineMs);
    },
    'route-decided': (draft, { decision }) => onRouteDecided(draft, decision),
  },
  'waiting-for-supplier': {
    ...beforeDeadline,
    'route-again': (draft) => {
      if (draft.stage.name === 'waiting-for-supplier') route(draft, draft.stage.deadlineMs, true);
    },
  },
  sending: beforeDeadline,
  'awaiting-result': beforeDeadline,
  unknown: beforeDeadline,
  'asking-supplier': {
    ...answered,
    callback: (draft, { callback }) => onCallback(draft, callback),
    'status-answered': (draft, { attempt, answer }) => onDeadlineStatus(draft, attempt, answer),
    'status-unavailable': (draft, { attempt, error }) => onDeadlineStatus(draft, attempt, undefined, error),
  },
  escalated: {
    ...answered,
    ...statusOfRetry,
    callback: (draft, { callback }) => onCallback(draft, callback),
    'operator-decision': (draft, { decision, replyTo }) => onOperatorDecision(draft, decision, replyTo),
    'alert-sent': (draft) => {
      if (draft.stage.name === 'escalated') draft.stage = { ...draft.stage, alerting: false };
    },
    'alert-failed': (draft, { error }) => {
      draft.record(OrderEvent.ALERT_FAILED, { error });
      if (draft.stage.name === 'escalated') draft.stage = { ...draft.stage, alerting: false };
    },
    'continued-as-new': (draft) => draft.record(OrderEvent.CONTINUED_AS_NEW),
  },
  finished: {
    ...answered,
    ...statusOfRetry,
    callback: (draft, { callback }) => onCallback(draft, callback),
    refunded: (draft, { result }) => onRefunded(draft, { ...result }),
    'notification-done': (draft, { result }) => {
      draft.record(OrderEvent.MERCHANT_NOTIFICATION_DONE, { result });
      if (draft.stage.name === 'finished') draft.stage = { ...draft.stage, notifying: false };
    },
    'linger-over': (draft) => {
      if (draft.stage.name !== 'finished') return;
      const { lingerUntilMs: _over, ...stage } = draft.stage;
      draft.stage = stage;
    },
  },
};

/** Operator decisions outside the escalated stage are refused (and recorded, as there). */
const anyStage: Rules = {
  'operator-decision': (draft, { decision, replyTo }) => onOperatorDecision(draft, decision, replyTo),
  'alert-failed': (draft, { error }) => draft.record(OrderEvent.ALERT_FAILED, { error }),
};

export function decide(machine: OrderMachine, event: MachineEvent): Decision {
  const draft = new Draft(machine, event.at);
  const rule = (RULES[machine.stage.name][event.type] ?? anyStage[event.type]) as Rule | undefined;
  rule?.(draft, event);
  return draft.done();
}

/** When waiting must end even without an event, and the event it ends with. */
export function nextTimer({
  stage,
}: OrderMachine): { atMs: number; event: 'deadline-reached' | 'route-again' | 'linger-over' } | undefined {
  if (stage.name === 'waiting-for-supplier' && stage.retryAtMs < stage.deadlineMs)
    return { atMs: stage.retryAtMs, event: 'route-again' };
  if ('deadlineMs' in stage) return { atMs: stage.deadlineMs, event: 'deadline-reached' };
  if (stage.name === 'finished' && stage.lingerUntilMs !== undefined)
    return { atMs: stage.lingerUntilMs, event: 'linger-over' };
  return undefined;
}

/** The order is decided, refunded if need be, its merchant told, and past its window for late callbacks. */
export function isDone({ stage }: OrderMachine): boolean {
  return stage.name === 'finished' && !stage.refunding && !stage.notifying && stage.lingerUntilMs === undefined;
}

/** Only an escalated order with nothing in flight continues as new: the new run would know of nothing under way. */
export function canContinueAsNew({ stage }: OrderMachine): boolean {
  return stage.name === 'escalated' && stage.sending === undefined && !stage.retry && !stage.alerting;
}
