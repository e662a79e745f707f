import { parseBill, type BillLine } from '../shared/supplier-bill.ts';

/** The supplier's bill could not be had: unreachable, a fault, or not a bill. */
export class BillUnavailableError extends Error {
  override name = 'BillUnavailableError';
}

/** A bill's lines, or what is wrong with it: a fault, a line of another day. */
export function readBill(text: string, day: string): { lines: BillLine[] } | { error: string } {
  const parsed = parseBill(text);
  if ('error' in parsed) return parsed;
  const stray = parsed.lines.find((line) => line.day !== day);
  return stray ? { error: `request ${stray.requestId} is billed on ${stray.day}, not ${day}` } : parsed;
}

/**
 * Fetches a supplier's bill of a UTC day from its base URL (the simulators'
 * `GET /_sim/bill?date=`). Throws BillUnavailableError for anything but a
 * readable bill of that day.
 */
export async function fetchBill(baseUrl: string, day: string, timeoutMs: number): Promise<BillLine[]> {
  let text: string;
  try {
    const response = await fetch(new URL(`/_sim/bill?date=${day}`, baseUrl), {
      headers: { accept: 'text/csv' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
    if (!response.ok) throw new BillUnavailableError(`the supplier answered HTTP ${response.status}`);
  } catch (error) {
    if (error instanceof BillUnavailableError) throw error;
    throw new BillUnavailableError(`the supplier could not be reached: ${(error as Error).message}`);
  }
  const bill = readBill(text, day);
  if ('error' in bill) throw new BillUnavailableError(`the supplier's bill is unreadable: ${bill.error}`);
  return bill.lines;
}
