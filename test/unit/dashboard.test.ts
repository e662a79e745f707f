import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardMetricNames } from './dashboard-metrics.ts';

/** The names the code gives its metrics: Temporal's meter (createCounter/createHistogram) and prom-client ({ name: ... }). */
async function definedMetricNames(): Promise<Set<string>> {
  const files = (await readdir(new URL('../../src', import.meta.url), { recursive: true })).filter(
    (file) => file.endsWith('.ts') && !file.startsWith('generated'),
  );
  const names = new Set<string>();
  for (const file of files) {
    const text = await readFile(join(new URL('../../src', import.meta.url).pathname, file), 'utf8');
    for (const [, name] of text.matchAll(/create(?:Counter|Histogram|Gauge)\(\s*'([a-z_]+)'/g))
      names.add(name as string);
    for (const [, name] of text.matchAll(/name: '([a-z_]+)'/g)) names.add(name as string);
  }
  return names;
}

describe('the on-call dashboard', () => {
  it('queries only metrics the platform records (or the Temporal SDK, checked against a real scrape in the observability test)', async () => {
    const defined = await definedMetricNames();
    const unknown = (await dashboardMetricNames()).filter(
      (name) => !name.startsWith('temporal_') && !defined.has(name.replace(/_(bucket|count|sum)$/, '')),
    );
    expect(unknown).toEqual([]);
    expect((await dashboardMetricNames()).length).toBeGreaterThan(10);
  });
});
