import { parseArgs } from 'node:util';
import { FAULT_NAMES, type FaultName } from './faults.ts';

export const USAGE = `npm run chaos -- [options]
  --orders N              orders to submit (default 1000)
  --rate N                offered orders/s, open loop over both API replicas (default 8)
  --faults LIST           comma-separated, or all (default), or none:
                          ${FAULT_NAMES.join(', ')}
  --seed S                seeds the orders, the carrier's decisions and the pollers (default chaos)
  --sla-seconds S         the orders' SLA (default 180, the product's)
  --outage-seconds S      carrier outage (default 60)
  --freeze-seconds S      how long a worker is frozen by SIGSTOP (default 40)
  --temporal-down S       how long the killed Temporal server stays down (default 10)
  --partition-seconds S   how long the workers are cut off from sim-a (default 30)
  --supplier-down S       how long the killed sim-a stays down (default 5)
  --notify-timeout S      how long to wait, once every order is settled, for every merchant to take its result (default 600)
  --reversals SHARE       share of successful orders their supplier reverses during the run (default 0.03)
  --pollers N             merchants polling their open orders (default 4), each every --poll-ms (default 100)
  --settle-timeout S      how long to wait for every order to be final or escalated after the load (default: SLA + 240)
  --out DIR               report.md, report.json and logs/ (default chaos-results/<time>)`;

export type ChaosOptions = ReturnType<typeof parseChaosOptions>;

const share = (name: string, value: string) => {
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new Error(`--${name} must be a share from 0 to 1, not ${value}`);
  return number;
};

const positive = (name: string, value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, not ${value}`);
  return number;
};

function parseFaults(list: string): FaultName[] {
  if (list === 'all') return [...FAULT_NAMES];
  if (list === 'none') return [];
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(FAULT_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown fault ${unknown.join(', ')}; choose from ${FAULT_NAMES.join(', ')}`);
  return names as FaultName[];
}

export function parseChaosOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '8' },
      faults: { type: 'string', default: 'all' },
      seed: { type: 'string', default: 'chaos' },
      'sla-seconds': { type: 'string', default: '180' },
      'outage-seconds': { type: 'string', default: '60' },
      'freeze-seconds': { type: 'string', default: '40' },
      'temporal-down': { type: 'string', default: '10' },
      'partition-seconds': { type: 'string', default: '30' },
      'supplier-down': { type: 'string', default: '5' },
      'notify-timeout': { type: 'string', default: '600' },
      reversals: { type: 'string', default: '0.03' },
      pollers: { type: 'string', default: '4' },
      'poll-ms': { type: 'string', default: '100' },
      'settle-timeout': { type: 'string' },
      out: { type: 'string', default: `chaos-results/${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}` },
      help: { type: 'boolean', default: false },
    },
  });
  const slaSeconds = positive('sla-seconds', values['sla-seconds']);
  return {
    help: values.help,
    orders: Math.floor(positive('orders', values.orders)),
    rate: positive('rate', values.rate),
    faults: parseFaults(values.faults),
    seed: values.seed,
    slaSeconds,
    durations: {
      carrierOutageSeconds: positive('outage-seconds', values['outage-seconds']),
      workerFreezeSeconds: positive('freeze-seconds', values['freeze-seconds']),
      temporalDownSeconds: positive('temporal-down', values['temporal-down']),
      restartAfterSeconds: 3,
      partitionSeconds: positive('partition-seconds', values['partition-seconds']),
      supplierDownSeconds: positive('supplier-down', values['supplier-down']),
    },
    notifyTimeoutSeconds: positive('notify-timeout', values['notify-timeout']),
    reversalShare: share('reversals', values.reversals),
    pollers: Math.floor(positive('pollers', values.pollers)),
    pollMs: positive('poll-ms', values['poll-ms']),
    settleTimeoutSeconds: values['settle-timeout']
      ? positive('settle-timeout', values['settle-timeout'])
      : slaSeconds + 240,
    out: values.out,
  };
}
