export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, in the values' unit rounded to 0.1; undefined for no values. */
export function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    p50: round(rank(50)),
    p95: round(rank(95)),
    p99: round(rank(99)),
    max: round(sorted[sorted.length - 1] as number),
  };
}

/** `times.length` events over the span from `from` (the first request) to the last of `times` (ms epoch); 0 without a span. */
export function perSecond(times: number[], from: number): number {
  if (times.length === 0) return 0;
  const span = (times.reduce((latest, time) => Math.max(latest, time), from) - from) / 1000;
  return span > 0 ? Math.round((times.length / span) * 10) / 10 : 0;
}
