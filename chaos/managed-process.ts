import type { ChildProcess } from 'node:child_process';
import { stopChild } from '../src/dev/stop-child.ts';

/**
 * A process of the system under test that faults may kill, freeze and
 * restart. Only this process is ever signalled (by its pid), never anything
 * found by name. An exit nobody asked for is recorded, and the process is
 * started again so the run goes on.
 */
export interface ManagedProcess {
  name: string;
  pid: () => number;
  /** Sends a signal to this process only: SIGKILL, SIGSTOP, SIGCONT. */
  signal: (signal: NodeJS.Signals) => void;
  /** `kill -9`, waiting until it is gone. */
  kill: () => Promise<void>;
  /** Starts it (again) and waits until it is ready. */
  start: () => Promise<void>;
  /** A graceful stop at the end of the run. */
  stop: () => Promise<void>;
}

export interface UnexpectedExit {
  name: string;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessLauncher {
  spawn(): ChildProcess;
  /** Resolves once the spawned process serves. */
  ready(child: ChildProcess): Promise<void>;
}

export function managedProcess(
  name: string,
  launcher: ProcessLauncher,
  onUnexpectedExit: (exit: UnexpectedExit) => void,
): ManagedProcess {
  let child: ChildProcess | undefined;
  /** Set while the harness itself ends the process: its exit is then expected. */
  let ending = false;

  const gone = (process: ChildProcess) => process.exitCode !== null || process.signalCode !== null;

  async function start() {
    ending = false;
    const started = launcher.spawn();
    child = started;
    started.once('exit', (code, signal) => {
      if (ending || child !== started) return;
      onUnexpectedExit({ name, at: Date.now(), code, signal });
      start().catch((error: unknown) => console.error(`${name} could not be restarted:`, error));
    });
    try {
      await launcher.ready(started);
    } catch (error) {
      ending = true; // never leave a half-started process behind
      started.kill('SIGKILL');
      throw error;
    }
  }

  function current(): ChildProcess {
    if (!child) throw new Error(`${name} was never started`);
    return child;
  }

  return {
    name,
    pid: () => current().pid as number,
    signal: (signal) => void current().kill(signal),
    kill: async () => {
      const process = current();
      if (gone(process)) return;
      ending = true;
      const exited = new Promise((resolve) => process.once('exit', resolve));
      process.kill('SIGKILL');
      await exited;
    },
    start,
    stop: async () => {
      ending = true;
      if (!child) return;
      child.kill('SIGCONT'); // a frozen process cannot act on SIGTERM
      await stopChild(child);
    },
  };
}
