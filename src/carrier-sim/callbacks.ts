import { setTimeout as sleep } from 'node:timers/promises';
import { SIGNATURE_HEADER, type CarrierCallbackBody } from '../carrier/protocol.ts';
import { sign } from '../util/signature.ts';
import type { RecordedOrder } from './records.ts';
import type { SimulatorStats } from './stats.ts';

/** POSTs an order's signed result to its callback URL; never rejects. */
export async function postCallback(callbackSecret: string, order: RecordedOrder, stats: SimulatorStats): Promise<void> {
  const body: CarrierCallbackBody = {
    orderId: order.request.requestId,
    carrierOrderId: order.carrierOrderId,
    status: order.state === 'SUCCESS' || order.state === 'REVERSED' ? order.state : 'FAILED',
    ...(order.reason !== undefined && { reason: order.reason }),
    timestamp: new Date().toISOString(),
  };
  const raw = JSON.stringify(body);
  // Like real carriers, re-send a few times when the merchant side is down; a reversal for longer (about a minute and
  // a half), since nothing else would tell the platform: it never asks about an order it saw succeed.
  const attempts = order.state === 'REVERSED' ? 12 : 5;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const response = await fetch(order.request.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(callbackSecret, raw) },
        body: raw,
      });
      stats.callbacksSent++;
      if (response.ok || (response.status >= 400 && response.status < 500)) return;
    } catch {
      // network fault: try again below
    }
    await sleep(Math.min(500 * 2 ** attempt, 10_000));
  }
}
