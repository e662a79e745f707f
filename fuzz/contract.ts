/**
 * The contract tester: schemathesis (PyPI, every check it has) over the API's
 * own /openapi.json, on a whole stack (PostgreSQL, Temporal dev server,
 * worker, simulated supplier). Merchant routes are tried with a merchant's
 * key, admin routes with the admin token, the probes without credentials; the
 * signed supplier callbacks are left to the suite's hostile-input test (the
 * tester cannot sign a body). Path parameters are drawn from ids that exist
 * half the time, so the tester reaches past the lookups.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ADMIN_TOKEN, startStack, type Stack } from '../test/integration/harness.ts';

const SCHEMATHESIS = resolve('.tools/bin/schemathesis');
/** Pinned, so that a run is replayed by its seed. */
const SCHEMATHESIS_VERSION = '4.32.5';

/** Installs the pinned schemathesis into the project's tool folder (.tools, a Python venv scripts/setup.sh made) unless it is there. */
export function ensureSchemathesis() {
  const installed = existsSync(SCHEMATHESIS) ? spawnSync(SCHEMATHESIS, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (installed.includes(`version ${SCHEMATHESIS_VERSION}`)) return;
  const pip = spawnSync(
    '.tools/bin/pip',
    ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
    { stdio: 'inherit' },
  );
  if (pip.status !== 0) throw new Error('could not install schemathesis into .tools (run ./scripts/setup.sh first)');
}

/** Ids that exist, for the tester to draw from: an order of the merchant's own, decided; the merchant; the supplier; a finished reconciliation run. */
async function fixtures(stack: Stack) {
  const submitted = await fetch(`${stack.apiUrl}/orders`, {
    method: 'POST',
    headers: { ...stack.merchant.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ merchantOrderNo: 'contract-fixture', phone: '13812345678', amount: 50 }),
  });
  if (submitted.status !== 202)
    throw new Error(`the fixture order was refused: ${submitted.status} ${await submitted.text()}`);
  const { orderId } = (await submitted.json()) as { orderId: string };
  await (await stack.workflowOf(orderId)).result();
  const started = await fetch(`${stack.apiUrl}/admin/reconciliations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (started.status !== 202)
    throw new Error(`the fixture reconciliation was refused: ${started.status} ${await started.text()}`);
  const { runId } = (await started.json()) as { runId: string };
  await stack.env.client.workflow.getHandle(runId).result();
  return {
    orderId: [orderId],
    merchantId: [stack.merchant.id],
    supplierId: ['sim'],
    runId: [runId],
    merchantOrderNo: ['contract-fixture'],
  };
}

/**
 * The tester's settings: existing ids half the time for each path parameter,
 * and, besides its default answers to a valid request, 422, which the
 * document gives to requests that break a rule across fields it states in words.
 */
function settings(ids: Record<string, string[]>) {
  const dictionaries = Object.entries(ids).map(
    ([name, values]) => `[dictionaries.${name}]\nvalues = ${JSON.stringify(values)}\n`,
  );
  const parameters = Object.keys(ids).map(
    (name) =>
      `"${name === 'merchantOrderNo' ? 'query' : 'path'}.${name}" = { dictionary = "${name}", probability = 0.5 }`,
  );
  return [
    ...dictionaries,
    `[parameters]\n${parameters.join('\n')}\n`,
    '[checks.positive_data_acceptance]\nexpected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]\n',
  ].join('\n');
}

interface Part {
  name: string;
  paths: string;
  authorization?: string;
}

function runTester(config: string, documentUrl: string, part: Part, seed: number, examples: number): Promise<boolean> {
  const args = [
    '--config-file',
    config,
    'run',
    documentUrl,
    '--checks',
    'all',
    '--include-path-regex',
    part.paths,
    '--seed',
    String(seed),
    '--max-examples',
    String(examples),
  ];
  if (part.authorization) args.push('-H', `Authorization: ${part.authorization}`);
  console.info(`\nContract tester on the ${part.name} routes (${part.paths}), seed ${seed}, ${examples} examples`);
  // In the run's own folder, where it keeps its cache.
  const child = spawn(SCHEMATHESIS, args, { stdio: 'inherit', cwd: dirname(config) });
  return new Promise((resolve) => {
    child.once('error', (error) => {
      console.error(`the contract tester did not start: ${error.message}`);
      resolve(false);
    });
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * The tester's orders carry generated notifyUrls, which the stack's worker
 * (in this process) would POST signed results to: anything listening on this
 * machine or beyond. This process reaches the stack's own API and supplier
 * only; every other address fails as an unreachable merchant does.
 */
function reachOnly(origins: Set<string>) {
  const send = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const { origin } = new URL(input instanceof Request ? input.url : input);
    if (!origins.has(origin))
      return Promise.reject(new TypeError(`fetch failed: the contract run reaches only its own stack, not ${origin}`));
    return send(input, init);
  };
}

/** Runs the tester over each route set on a stack of its own; true if it found nothing. */
export async function checkContract(seed: number, examples: number): Promise<boolean> {
  ensureSchemathesis();
  // Its workers log every failed notification at WARN.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const stack = await startStack();
  reachOnly(new Set([new URL(stack.apiUrl).origin, new URL(stack.carrierUrl).origin]));
  const dir = await mkdtemp(join(tmpdir(), 'recharge-contract-'));
  try {
    const config = join(dir, 'schemathesis.toml');
    await writeFile(config, settings(await fixtures(stack)));
    const parts: Part[] = [
      { name: 'merchant', paths: '^/(orders|balance)', authorization: `Bearer ${stack.merchant.apiKey}` },
      { name: 'admin', paths: '^/admin/', authorization: `Bearer ${ADMIN_TOKEN}` },
      { name: 'probe', paths: '^/(healthz|readyz|metrics)$' },
    ];
    const results: boolean[] = [];
    for (const part of parts)
      results.push(await runTester(config, `${stack.apiUrl}/openapi.json`, part, seed, examples));
    return results.every(Boolean);
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
