import { readFile } from 'node:fs/promises';

const DASHBOARD = new URL('../../deploy/grafana/dashboards/recharge.json', import.meta.url);

/** Every metric name the dashboard's queries read (suffixes of histograms included). */
export async function dashboardMetricNames(): Promise<string[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  const names = dashboard.panels.flatMap((panel) =>
    panel.targets.flatMap(
      (target) =>
        target.expr
          .replace(/\b(?:by|without)\s*\([^)]*\)/g, '')
          .match(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?=\s*[[{)])/g) ?? [],
    ),
  );
  return [...new Set(names)].filter((name) => name !== 'histogram_quantile');
}
