import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

export const USAGE = `npm run fuzz -- [options]
  --seed N       seeds every property test and the contract tester (default: a new one, printed)
  --runs N       runs of each property test (default 10000; the suite makes its own fixed few)
  --examples N   the contract tester's cases per operation and phase (default 200)
  --only WHAT    properties or contract (default: both)`;

export type FuzzOptions = ReturnType<typeof parseFuzzOptions>;

const wholeNumber = (name: string, value: string, min: number) => {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min)
    throw new Error(`--${name} must be a whole number of at least ${min}, not ${value}`);
  return number;
};

export function parseFuzzOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      runs: { type: 'string', default: '10000' },
      examples: { type: 'string', default: '200' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && values.only !== 'properties' && values.only !== 'contract')
    throw new Error(`--only must be properties or contract, not ${values.only}`);
  return {
    help: values.help,
    // fast-check takes a 32-bit seed; schemathesis any integer.
    seed: values.seed === undefined ? randomInt(2 ** 31 - 1) : wholeNumber('seed', values.seed, 0),
    runs: wholeNumber('runs', values.runs, 1),
    examples: wholeNumber('examples', values.examples, 1),
    properties: values.only !== 'contract',
    contract: values.only !== 'properties',
  };
}
