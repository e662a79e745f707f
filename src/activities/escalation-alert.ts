import { Context } from '@temporalio/activity';
import type { AlertActivities } from '../shared/order-activities.ts';
import { postAlert } from '../util/alert-webhook.ts';

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
      await postAlert(alertWebhookUrl, 'recharge-order-escalated', { ...alert });
    },
  } satisfies AlertActivities;
}
