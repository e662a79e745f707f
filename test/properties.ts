/**
 * Property tests draw the same cases on every run of the suite, so CI passes
 * or fails on the code, not on luck: one fixed seed (FC_SEED replays another,
 * FC_PATH one case of it), and the runs each test names (FC_RUNS overrides
 * them: `npm run fuzz` explores with a new seed and many runs). A failure
 * names the command that replays it. Loaded by the suite's setup.
 */
import { relative } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';

export const SUITE_SEED = 20_261_205;

function fromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw new Error(`${name} must be a whole number, not ${value}`);
  return Number(value);
}
const seed = fromEnv('FC_SEED') ?? SUITE_SEED;
const runsOverride = fromEnv('FC_RUNS');
const path = process.env.FC_PATH || undefined;

/** Whether this run explores (FC_RUNS given) rather than replays the suite's cases. */
export const exploring = runsOverride !== undefined;
/** The runs a property test makes: its own number in the suite, FC_RUNS when exploring. */
export const runs = (numRuns: number) => runsOverride ?? numRuns;
/** A property test's time limit in the suite; none when exploring with FC_RUNS. */
export const timeLimit = (ms: number) => (runsOverride === undefined ? ms : 0);

const shellQuoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const nameRegex = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** vitest's -t matches "<file> <describe> <test>": this names the one test, whole. */
function replayCommand(details: fc.RunDetails<unknown>) {
  const { testPath = '', currentTestName = '' } = expect.getState();
  const testName = `(?:^| )${nameRegex(currentTestName.split(' > ').join(' '))}$`;
  return `FC_SEED=${details.seed} FC_PATH=${shellQuoted(details.counterexamplePath ?? '')} npx vitest run ${relative(process.cwd(), testPath)} -t ${shellQuoted(testName)}`;
}

fc.configureGlobal({
  seed,
  ...(path !== undefined && { path }),
  ...(runsOverride !== undefined && { numRuns: runsOverride }),
  reporter(details) {
    if (!details.failed) return;
    throw new Error(`${fc.defaultReportMessage(details)}\n\nReplay this case with:\n  ${replayCommand(details)}`, {
      cause: details.errorInstance,
    });
  },
});
