import { setTimeout as sleep } from 'node:timers/promises';
import seedrandom from 'seedrandom';
import type { CarrierCharge } from '../src/carrier-sim/records.ts';
import { SIGNATURE_HEADER } from '../src/carrier/protocol.ts';
import { parseSupplierRequestId } from '../src/shared/suppliers.ts';
import { sign } from '../src/util/signature.ts';
import type { Cluster } from './cluster.ts';

/** One reversal the run asked a supplier for. */
export interface ReversalRecord {
  orderId: string;
  supplierId: string;
  requestId: string;
  /** Its REVERSED callback was sent again, by the harness as the supplier (a duplicate the platform must not apply twice). */
  twice: boolean;
  /** The top-up the supplier reversed, as it named it. */
  carrierOrderId?: string;
  /** The order's own workflow was still open when the reversal was asked for (notifying the merchant, say). */
  workflowOpen: boolean;
  /** The supplier's answers to each ask, then the platform's to the duplicate: HTTP status or 'network'. */
  answers: (number | 'network')[];
}

/** Asks the supplier to reverse a request: its answer's status, and the top-up it reversed. */
async function ask(url: string, requestId: string): Promise<{ status: number | 'network'; carrierOrderId?: string }> {
  try {
    const response = await fetch(`${url}/_sim/reverse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requestId }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => ({}))) as { carrierOrderId?: string };
    return {
      status: response.status,
      ...(body.carrierOrderId !== undefined && { carrierOrderId: body.carrierOrderId }),
    };
  } catch {
    return { status: 'network' }; // the simulator is being restarted: asked again on the next round
  }
}

/** The supplier's REVERSED callback once more, signed with its secret, to one of the APIs. */
async function resendReversal(cluster: Cluster, record: ReversalRecord): Promise<number | 'network'> {
  const raw = JSON.stringify({
    orderId: record.requestId,
    carrierOrderId: record.carrierOrderId,
    status: 'REVERSED',
    timestamp: new Date().toISOString(),
  });
  try {
    const response = await fetch(`${cluster.apiUrls[0]}/callbacks/suppliers/${record.supplierId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(cluster.secrets.callbackSecret, raw) },
      body: raw,
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 'network';
  }
}

/** What the supplier took, as it says now; nothing while it is down (a fault): the next round asks again. */
async function chargesAt(url: string): Promise<CarrierCharge[]> {
  try {
    const response = await fetch(`${url}/_sim/charges`, { signal: AbortSignal.timeout(10_000) });
    return response.ok ? ((await response.json()) as CarrierCharge[]) : [];
  } catch {
    return [];
  }
}

async function workflowIsOpen(cluster: Cluster, orderId: string): Promise<boolean> {
  const described = await cluster.client.workflow
    .getHandle(`recharge-order-${orderId}`)
    .describe()
    .catch(() => undefined);
  return described?.status.name === 'RUNNING';
}

/**
 * While the load runs, each supplier reverses a share of the top-ups it
 * reported successful (冲正), as a real one does when a subscriber disputes
 * one: the orders to reverse are chosen by a seeded draw on their request id,
 * among those our view shows SUCCEEDED; for a third, the REVERSED callback
 * comes again on the next round (a supplier re-sending it). Stops when
 * `stop` aborts, after a last round.
 */
export async function runReversals(
  cluster: Cluster,
  { share, seed, stop, log }: { share: number; seed: string; stop: AbortSignal; log: (line: string) => void },
): Promise<ReversalRecord[]> {
  const records = new Map<string, ReversalRecord>();
  /** Reversals whose callback is sent again on the next round (by then the first has usually been applied). */
  let duplicates: ReversalRecord[] = [];
  const considered = new Set<string>();
  const random = seedrandom(`${seed}:reversals`);
  for (let last = false; !last;) {
    last = stop.aborted;
    if (!last) await Promise.race([sleep(5_000), new Promise((resolve) => stop.addEventListener('abort', resolve))]);
    const { rows } = await cluster.db
      .query<{ id: string }>(`SELECT id FROM orders WHERE status = 'SUCCEEDED'`)
      .catch(() => ({ rows: [] as { id: string }[] }));
    const succeeded = new Set(rows.map((row) => row.id));
    for (const record of duplicates) record.answers.push(await resendReversal(cluster, record));
    duplicates = [];
    for (const { id: supplierId, url } of cluster.suppliers) {
      const charges = await chargesAt(url);
      for (const charge of charges) {
        const orderId = parseSupplierRequestId(charge.requestId)?.orderId;
        if (charge.state !== 'SUCCESS' || !orderId || !succeeded.has(orderId)) continue;
        const pending = records.get(charge.requestId);
        if (!pending && considered.has(charge.requestId)) continue;
        considered.add(charge.requestId);
        if (!pending && random() >= share) continue;
        const record = pending ?? {
          orderId,
          supplierId,
          requestId: charge.requestId,
          twice: random() < 1 / 3,
          workflowOpen: await workflowIsOpen(cluster, orderId),
          answers: [],
        };
        records.set(charge.requestId, record);
        const answer = await ask(url, charge.requestId);
        record.answers.push(answer.status);
        if (answer.carrierOrderId !== undefined) record.carrierOrderId = answer.carrierOrderId;
        if (answer.status === 200 && record.twice) duplicates.push(record);
      }
    }
  }
  for (const record of duplicates) record.answers.push(await resendReversal(cluster, record));
  const asked = [...records.values()];
  log(
    `reversals asked: ${asked.length} (${asked.filter((r) => r.workflowOpen).length} with the order's workflow open)`,
  );
  return asked;
}
