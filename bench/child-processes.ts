import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../src/util/free-port.ts';
import { stopChild } from '../src/dev/stop-child.ts';
import { waitForWorker, waitUntilHealthy } from '../src/dev/wait.ts';

export interface BenchChild {
  name: string;
  pid: number;
  stop: () => Promise<void>;
}

export interface ProcessOutput {
  logDir: string;
  /** Set: the process writes a V8 CPU profile `<name>.cpuprofile` here when it exits. */
  profileDir?: string;
}

/**
 * Runs a TypeScript entry point as a process of its own (so its CPU and
 * memory are its own), output to `<logDir>/<name>.log`. An early exit fails
 * the benchmark rather than leaving it waiting.
 */
export function startNodeProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  { logDir, profileDir }: ProcessOutput,
): BenchChild {
  const log = openSync(join(logDir, `${name}.log`), 'a');
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`\n${name} exited (${code ?? signal}); see ${join(logDir, `${name}.log`)}`);
      process.kill(process.pid, 'SIGTERM'); // the benchmark's own shutdown stops everything else
    }
  });
  return {
    name,
    pid: child.pid as number,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

/** Resolves once a worker polls the task queue. */
export { freePort, waitForWorker, waitUntilHealthy };
