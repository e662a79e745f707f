/**
 * What the benchmark has started, stopped in reverse order exactly once: at
 * the end, after a failure or on Ctrl-C, whichever comes first.
 */
export function createCleanups() {
  const pending: (() => Promise<void>)[] = [];
  let running: Promise<void> | undefined;
  return {
    /** Registers a stop; the function returned runs it now instead (once, and no more at the end). */
    // Arrow properties, not methods: callers pass `cleanups.add` on as a function of its own.
    add: (stop: () => Promise<void>): (() => Promise<void>) => {
      let once: Promise<void> | undefined;
      const run = () => (once ??= stop().catch((error: unknown) => console.error(error)));
      pending.push(run);
      return () => {
        const index = pending.indexOf(run);
        if (index !== -1) pending.splice(index, 1);
        return run();
      };
    },
    /** Runs every stop still registered, newest first; stops registered meanwhile run too. */
    runAll: (): Promise<void> => {
      running ??= (async () => {
        for (let run = pending.pop(); run; run = pending.pop()) await run();
      })();
      return running;
    },
  };
}

export type Cleanups = ReturnType<typeof createCleanups>;
