/**
 * Where a process's CPU time went, from a V8 CPU profile written by
 * `npm run bench -- --profile`: self time by package (or project folder) and
 * the top functions.
 *   node --import tsx bench/profile-summary.ts bench-results/<run>/profiles/order-worker.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<package> (or @scope/package), a project folder (src/db), or what V8 calls it. */
function ownerOf(url: string, functionName: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const project = /\/(src|bench)\/([^/]+)/.exec(url);
  if (project) return `${project[1]}/${project[2]}`;
  if (url.startsWith('node:')) return 'node core';
  return functionName.startsWith('(') ? functionName : url || '(native)';
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile>');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const node = byId.get(id);
  const micros = profile.timeDeltas[index] ?? 0;
  if (!node) return;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') return;
  total += micros;
  const owner = ownerOf(url, functionName);
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros);
  const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
});

const top = (map: Map<string, number>, count: number) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([name, micros]) =>
        `${(micros / 1e6).toFixed(2).padStart(7)} s ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`,
    );
console.log(
  `${file}: ${(total / 1e6).toFixed(2)} s of CPU (idle excluded)\n\nby owner:\n${top(byOwner, 20).join('\n')}\n\nby function:\n${top(byFunction, 25).join('\n')}`,
);
