/**
 * npm run fuzz: the random exploration a developer runs before a change
 * lands. The suite replays fixed cases (test/properties.ts) so CI passes or
 * fails on the code alone; this draws new ones: every property test with a new
 * seed and many runs, then the contract tester over /openapi.json. Exits
 * non-zero on any failure; the seed it prints replays the run.
 */
import setupDatabaseServer from '../test/global-setup.ts';
import { checkContract } from './contract.ts';
import { parseFuzzOptions, USAGE } from './options.ts';
import { exploreProperties } from './properties.ts';

const options = parseFuzzOptions(process.argv.slice(2));
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const replay = `npm run fuzz -- --seed ${options.seed} --runs ${options.runs} --examples ${options.examples}`;
console.info(`Fuzzing with seed ${options.seed} (replay: ${replay})`);
const failed: string[] = [];
if (options.properties && !(await exploreProperties(options.seed, options.runs))) failed.push('property tests');
if (options.contract) {
  // The PostgreSQL server the suite uses: TEST_DATABASE_URL, or an embedded one for this run, stopped on a signal too.
  const stopDatabaseServer = await setupDatabaseServer();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => void (stopDatabaseServer?.() ?? Promise.resolve()).finally(() => process.exit(130)));
  try {
    if (!(await checkContract(options.seed, options.examples))) failed.push('contract tester');
  } finally {
    await stopDatabaseServer?.();
  }
}
console.info(
  failed.length ? `\nFAILED: ${failed.join(', ')} (replay: ${replay})` : `\nNothing found (seed ${options.seed}).`,
);
process.exit(failed.length ? 1 : 0);
