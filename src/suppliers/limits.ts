/**
 * A supplier's rate limit as the platform keeps it. Calls go out 20 % slower
 * than the supplier's limit: the supplier counts arrivals, and on a busy
 * machine a call can leave tens of milliseconds late, squeezing the next
 * ones into its second.
 */
const PACING_MARGIN = 1.2;

/** The calls per second a supplier is actually sent, under its limit. */
export const pacedRatePerSecond = (rateLimitPerSecond: number) => rateLimitPerSecond / PACING_MARGIN;

/** How far apart, in seconds, calls to it leave, from every worker together. */
export const callSpacingSeconds = (rateLimitPerSecond: number) => 1 / pacedRatePerSecond(rateLimitPerSecond);
