import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The suite's test files that hold property tests (any `fc.assert`), the fault-injection run aside: a new one is explored as soon as it exists. */
export async function propertyTestFiles(root = 'test'): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
  const withProperties = await Promise.all(
    files.map(async (file) => ((await readFile(file, 'utf8')).includes('fc.assert(') ? file : undefined)),
  );
  return withProperties
    .filter((file): file is string => file !== undefined && !file.startsWith(join(root, 'chaos')))
    .sort();
}

/** Runs those files in the suite's setup with a new seed and many runs (test/properties.ts reads FC_SEED and FC_RUNS); true if all passed. */
export async function exploreProperties(seed: number, runs: number): Promise<boolean> {
  const files = await propertyTestFiles();
  console.info(`Property tests with seed ${seed}, ${runs} runs each, in:\n  ${files.join('\n  ')}`);
  const child = spawn('npx', ['vitest', 'run', '--project', 'suite', ...files], {
    stdio: 'inherit',
    env: { ...process.env, FC_SEED: String(seed), FC_RUNS: String(runs) },
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return code === 0;
}
