import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// Workflow code runs in Temporal's deterministic sandbox: it may import the
// workflow SDK (and @temporalio/common, which it bundles), shared definitions
// and types, never Node, Prisma or HTTP.
const WORKFLOW_SAFE_DIRS = ['src/workflows', 'src/shared'];

async function importsOf(dir: string) {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.ts'));
  return Promise.all(
    files.map(async (file) => {
      const source = await readFile(`${dir}/${file}`, 'utf8');
      const values = [...source.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gm)].map((m) => m[1] as string);
      return { file: `${dir}/${file}`, values };
    }),
  );
}

describe('workflow sandbox boundary', () => {
  it.each(WORKFLOW_SAFE_DIRS)('%s imports only the workflow SDK and workflow-safe modules at run time', async (dir) => {
    for (const { file, values } of await importsOf(dir)) {
      for (const specifier of values) {
        const allowed = specifier === '@temporalio/workflow' || specifier === '@temporalio/common' || /^\.\/[\w-]+\.ts$/.test(specifier) || /^\.\.\/shared\/[\w-]+\.ts$/.test(specifier);
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
      }
    }
  });
});
