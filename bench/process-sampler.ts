import { readdirSync, readFileSync } from 'node:fs';
import pidusage from 'pidusage';
import { now } from './open-loop.ts';

/** A process, or a process with its children (PostgreSQL's backends), measured as one. */
export interface MeasuredProcess {
  name: string;
  pid: number;
  withChildren?: boolean;
}

interface Sample {
  at: number;
  /** CPU seconds used so far (user + system). */
  cpuSeconds: number;
  rssMb: number;
}

export interface ProcessUsage {
  name: string;
  cpuSeconds: number;
  peakRssMb: number;
}

function childPids(parent: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      // The command name (2nd field) may hold spaces; the parent pid is the 2nd field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === parent ? [Number(entry)] : [];
    } catch {
      return []; // exited while being read
    }
  });
}

/** Proportional set size: the process's private memory plus its share of memory shared with others. */
function proportionalMb(pid: number): number {
  try {
    const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return Number(kb ?? 0) / 1024;
  } catch {
    return 0; // exited while being read
  }
}

/**
 * Samples CPU time and resident memory of the benchmark's processes once a
 * second (and on demand at step boundaries), from /proc via pidusage.
 */
export function createProcessSampler(intervalMs = 1_000) {
  const processes = new Map<string, MeasuredProcess>();
  const series = new Map<string, Sample[]>();

  /** CPU seconds each pid had used when last seen, so a group's total only grows as its members come and go. */
  const lastCpu = new Map<number, number>();
  const groupCpu = new Map<string, number>();

  async function sampleOne(process: MeasuredProcess): Promise<void> {
    const pids = process.withChildren ? [process.pid, ...childPids(process.pid)] : [process.pid];
    const stats = Object.entries(await pidusage(pids).catch(() => ({}))).filter(([, stat]) => stat);
    if (stats.length === 0) return; // gone
    let cpuSeconds = groupCpu.get(process.name) ?? 0;
    for (const [pid, stat] of stats) {
      // A pid reused by a new process (a PostgreSQL backend) starts below the last value: count it from zero.
      const before = lastCpu.get(Number(pid)) ?? 0;
      cpuSeconds += stat.ctime / 1000 >= before ? stat.ctime / 1000 - before : stat.ctime / 1000;
      lastCpu.set(Number(pid), stat.ctime / 1000);
    }
    groupCpu.set(process.name, cpuSeconds);
    const sample = {
      at: now(),
      cpuSeconds,
      // A group's processes share memory (PostgreSQL's shared buffers): their proportional share is summed, not each one's resident set.
      rssMb: process.withChildren
        ? pids.reduce((sum, pid) => sum + proportionalMb(pid), 0)
        : stats.reduce((sum, [, stat]) => sum + stat.memory, 0) / 2 ** 20,
    };
    series.get(process.name)?.push(sample);
  }
  const sampleAll = () => Promise.all([...processes.values()].map(sampleOne)).then(() => undefined);
  let sampling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampleAll();
  }, intervalMs);

  return {
    add: (process: MeasuredProcess) => {
      processes.set(process.name, process);
      if (!series.has(process.name)) series.set(process.name, []);
      return sampleOne(process);
    },
    remove: (name: string) => processes.delete(name),
    /** A sample of every process now, e.g. at the start and end of a step. */
    sampleNow: () => sampleAll(),
    /** CPU seconds and peak memory of each process between two instants. */
    usageBetween(from: number, to: number): ProcessUsage[] {
      return [...series.entries()].flatMap(([name, samples]) => {
        const inside = samples.filter((sample) => sample.at >= from && sample.at <= to);
        const first = inside[0];
        const last = inside[inside.length - 1];
        if (!first || !last) return [];
        const peak = Math.max(...inside.map((sample) => sample.rssMb));
        return [{ name, cpuSeconds: round(last.cpuSeconds - first.cpuSeconds), peakRssMb: round(peak) }];
      });
    },
    /** Mean resident memory of one process over a window. */
    meanRssMb(name: string, from: number, to: number): number | undefined {
      const inside = (series.get(name) ?? []).filter((sample) => sample.at >= from && sample.at <= to);
      return inside.length ? round(inside.reduce((sum, sample) => sum + sample.rssMb, 0) / inside.length) : undefined;
    },
    stop: async () => {
      clearInterval(timer);
      await sampling;
      pidusage.clear();
    },
  };
}

export type ProcessSampler = ReturnType<typeof createProcessSampler>;

const round = (value: number) => Math.round(value * 10) / 10;
