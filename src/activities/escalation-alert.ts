import { Context } from '@temporalio/activity';
import type { AlertActivities } from '../shared/order-activities.ts';

export interface EscalationAlertDeps {
  /** Optional webhook (chat, paging) that receives every escalation as JSON. */
  alertWebhookUrl?: string | undefined;
}

export function createEscalationAlertActivities({ alertWebhookUrl }: EscalationAlertDeps) {
  return {
    /** Tells on-call: a warn log line always, and a POST to the alert webhook when one is configured. */
    async raiseEscalationAlert(alert) {
      Context.current().log.warn('Recharge order escalated to an operator', { ...alert });
      if (!alertWebhookUrl) return;
      const response = await fetch(alertWebhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'recharge-order-escalated', ...alert }),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`alert webhook answered HTTP ${response.status}`);
    },
  } satisfies AlertActivities;
}
