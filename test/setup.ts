import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * Where this test process's workers serve Prometheus metrics (one port per
 * concurrently running test file); TEST_METRICS_PORT_BASE moves the range, so
 * two checkouts can run their suites side by side.
 */
export const metricsAddress = `127.0.0.1:${Number(process.env.TEST_METRICS_PORT_BASE ?? 19400) + Number(process.env.VITEST_POOL_ID ?? 0)}`;

// Workers log every activity failure at WARN; tests provoke many on purpose.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } },
});
