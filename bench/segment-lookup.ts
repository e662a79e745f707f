/**
 * `npm run bench:segments`: what the number-segment table (src/numbers/segments.ts) costs a
 * process: load time, memory held once loaded, and time per lookup over numbers from every
 * known segment plus unknown ones. Figures go in docs/numbers.md.
 */
import { loadSegmentTable, type SegmentTable } from '../src/numbers/segments.ts';
import { percentiles } from './stats.ts';

const LOOKUPS = 1_000_000;
const BATCH = 10_000;
const UNKNOWN_SHARE = 0.1;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:segments)');
const MB = 1024 * 1024;

// Two full collections a turn apart: V8 frees ArrayBuffer backing stores (the 4.5 MB file) concurrently.
async function memory() {
  gc!();
  await new Promise((resolve) => setImmediate(resolve));
  gc!();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  return { held: heapUsed + arrayBuffers, rss };
}

/** A segment from 1000000 to 1999999 the table does not list (below 130 or a gap). */
function unknownSegment(known: Set<string>): string {
  for (;;) {
    const segment = String(1_000_000 + Math.floor(Math.random() * 1_000_000));
    if (!known.has(segment)) return segment;
  }
}

/** Numbers from every known segment, in random order, with a share from unknown segments. */
function sampleNumbers(table: SegmentTable): string[] {
  const known = [...table.segments()];
  const knownSet = new Set(known);
  const numbers: string[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const tail = String(Math.floor(Math.random() * 10_000)).padStart(4, '0');
    if (i < known.length) numbers.push(`${known[i]}${tail}`);
    else if (i < known.length + UNKNOWN_SHARE * LOOKUPS) numbers.push(`${unknownSegment(knownSet)}${tail}`);
    else numbers.push(`${known[Math.floor(Math.random() * known.length)]}${tail}`);
  }
  for (let i = numbers.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [numbers[i], numbers[j]] = [numbers[j]!, numbers[i]!];
  }
  return numbers;
}

/** ns per lookup over all numbers, and per batch; `found` keeps the work from being optimised away. */
function timeLookups(table: SegmentTable, numbers: string[]) {
  const perBatch: number[] = [];
  let found = 0;
  const start = process.hrtime.bigint();
  for (let from = 0; from < numbers.length; from += BATCH) {
    const batchStart = process.hrtime.bigint();
    for (let i = from; i < from + BATCH && i < numbers.length; i++) if (table.lookup(numbers[i]!)) found++;
    perBatch.push(Number(process.hrtime.bigint() - batchStart) / BATCH);
  }
  return { nsPerLookup: Number(process.hrtime.bigint() - start) / numbers.length, perBatch, found };
}

const before = await memory();
const loadStart = performance.now();
const table = loadSegmentTable();
const loadMs = performance.now() - loadStart;
const after = await memory();
console.log(`table: version ${table.version}, ${table.size} segments`);
console.log(
  `load: ${loadMs.toFixed(1)} ms; held ${((after.held - before.held) / MB).toFixed(2)} MB (heapUsed + arrayBuffers), ` +
    `RSS +${((after.rss - before.rss) / MB).toFixed(1)} MB`,
);
const numbers = sampleNumbers(table);
timeLookups(table, numbers); // warm-up: let V8 optimise lookup()
const { nsPerLookup, perBatch, found } = timeLookups(table, numbers);
const batches = percentiles(perBatch)!;
console.log(
  `lookup: ${nsPerLookup.toFixed(0)} ns each over ${numbers.length} numbers (${found} known); ` +
    `per ${BATCH}-lookup batch p50 ${batches.p50} ns, p99 ${batches.p99} ns, max ${batches.max} ns`,
);
