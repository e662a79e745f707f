/**
 * Where the circuit breaker reads the time. Workers use the system clock
 * (NTP keeps workers well within a cool-down of each other); workflow tests
 * use the time-skipping server's, so a cool-down passes in skipped time.
 */
export type Clock = () => Promise<Date>;

export const systemClock: Clock = () => Promise.resolve(new Date());
