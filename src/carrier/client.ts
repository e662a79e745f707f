import type { CarrierStatus, CarrierSubmission } from '../shared/carrier-protocol.ts';
import { rechargeAnswerSchema, statusAnswerSchema, type RechargeRequest } from './protocol.ts';

/**
 * The carrier could not be reached or answered with a fault (connection
 * error, timeout, 5xx, unreadable reply). Whether it received the request is
 * unknown: the caller must ask the status endpoint before sending it again.
 */
export class CarrierUnavailableError extends Error {
  override name = 'CarrierUnavailableError';
}

export interface CarrierClient {
  submit(request: RechargeRequest): Promise<CarrierSubmission>;
  status(requestId: string): Promise<CarrierStatus>;
}

export function createCarrierClient(baseUrl: string, timeoutMs: number): CarrierClient {
  async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, baseUrl), { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new CarrierUnavailableError(`carrier unreachable: ${(error as Error).message}`);
    }
    if (response.status >= 500) throw new CarrierUnavailableError(`carrier answered HTTP ${response.status}`);
    // The status endpoint answers 404 with a NOT_FOUND body, so the body is read for every other status.
    const text = await response.text().catch(() => '');
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      throw new CarrierUnavailableError(`carrier answered HTTP ${response.status} with an unreadable body`);
    }
  }

  return {
    async submit(request) {
      const { status, body } = await call('/recharge', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      // 400/422: the carrier read the request and rejected it as invalid, so it took nothing.
      // Other 4xx (401/403 our credentials, 408, 409, 429) say nothing certain about the order: ask again.
      if (status === 400 || status === 422)
        return { outcome: 'refused', reason: `carrier rejected the request as invalid (HTTP ${status})` };
      if (status >= 400) throw new CarrierUnavailableError(`carrier answered HTTP ${status}`);
      const answer = rechargeAnswerSchema.safeParse(body);
      if (!answer.success) throw new CarrierUnavailableError('carrier answered with an unexpected body');
      return answer.data.accepted
        ? { outcome: 'accepted', carrierOrderId: answer.data.carrierOrderId }
        : { outcome: 'refused', reason: answer.data.reason };
    },

    async status(requestId) {
      const { body } = await call(`/recharge/${encodeURIComponent(requestId)}`);
      const answer = statusAnswerSchema.safeParse(body);
      if (!answer.success) throw new CarrierUnavailableError('carrier status answer unreadable');
      return answer.data;
    },
  };
}
