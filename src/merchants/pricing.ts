/** A rate as stored (NUMERIC(7,6)) and shown: a decimal with at most 6 places, such as "0.985". */
export const RATE_PATTERN = /^(\d)(?:\.(\d{1,6}))?$/;

/**
 * What an order costs the merchant, in fen: face value × rate, rounded half
 * up. Integer arithmetic on parts per million, so no float ever touches money
 * (the largest product, 50,000 fen × 9,999,999 ppm, is far below 2^53).
 */
export function costFen(amountYuan: number, rate: string): number {
  const match = RATE_PATTERN.exec(rate);
  if (!match) throw new Error(`not a rate: ${rate}`);
  const ppm = Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
  return Math.floor((amountYuan * 100 * ppm + 500_000) / 1_000_000);
}
