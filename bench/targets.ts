import type { MemoryTrend, Target } from './report.ts';
import type { StepResult } from './run-step.ts';

/** The targets, judged on this run's figures. */
export function judgeTargets(steps: StepResult[], ratioToFloor: Record<string, number>, memory: MemoryTrend | undefined): Target[] {
  const targets: Target[] = [];
  // A system that kept up with the offered rate was not saturated: its throughput is only a lower bound.
  for (const step of steps.filter((candidate) => candidate.kind === 'saturation')) {
    if (step.completedPerSecond >= 0.9 * step.rate)
      targets.push({ name: `${step.id}: saturated (completed/s well under offered)`, met: false, detail: `${step.completedPerSecond}/s of ${step.rate}/s offered: raise --rate` });
  }
  if (ratioToFloor.order !== undefined) {
    targets.push({ name: 'order path saturated throughput ≥ 70% of the engine floor', met: ratioToFloor.order >= 0.7, detail: `${Math.round(ratioToFloor.order * 100)}%` });
  }
  for (const step of steps.filter((candidate) => candidate.kind === 'steady' && candidate.system === 'order')) {
    const allFinal = step.rejected === 0 && step.final === step.count;
    targets.push(
      { name: `${step.id}: every order final`, met: allFinal, detail: `${step.final}/${step.count} final, ${step.rejected} rejected` },
      { name: `${step.id}: zero escalations`, met: step.escalations === 0, detail: String(step.escalations) },
      { name: `${step.id}: submit p99 < 50 ms`, met: (step.submitLatencyMs?.p99 ?? Infinity) < 50, detail: `${step.submitLatencyMs?.p99 ?? '-'} ms` },
      { name: `${step.id}: submit→final p99 < 1 s`, met: (step.submitToFinalMs?.p99 ?? Infinity) < 1000, detail: `${step.submitToFinalMs?.p99 ?? '-'} ms` },
    );
  }
  if (memory) {
    targets.push({
      name: `${memory.process} memory flat (within 20%) from first to last minute`,
      met: Math.abs(memory.changePercent) <= 20,
      detail: `${memory.firstMinuteMb} → ${memory.lastMinuteMb} MB`,
    });
  }
  return targets;
}
