export interface SimulatorStats {
  /** Recharge requests received, repeats included. */
  requests: number;
  /** Phones actually credited: orders taken whose result is SUCCESS (a de-duplicated repeat is not a charge). */
  charges: number;
  /** The most recharge requests received within any one second: what a rate limit upstream of it must keep under. */
  peakRequestsPerSecond: number;
  /** The most recharge requests it was answering at once: what a concurrency limit upstream of it must keep under. */
  peakInFlight: number;
  callbacksSent: number;
}

export const zeroStats = (): SimulatorStats => ({
  requests: 0,
  charges: 0,
  peakRequestsPerSecond: 0,
  peakInFlight: 0,
  callbacksSent: 0,
});

/** The recharge requests of the last second and the peaks: counts one request. */
export function countRequest(stats: SimulatorStats, lastSecond: number[]): void {
  const now = performance.now();
  lastSecond.push(now);
  while ((lastSecond[0] as number) <= now - 1_000) lastSecond.shift();
  stats.requests++;
  stats.peakRequestsPerSecond = Math.max(stats.peakRequestsPerSecond, lastSecond.length);
}
