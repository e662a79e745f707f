import { DefaultLogger, Runtime } from '@temporalio/worker';

/** Where this test process's workers serve Prometheus metrics (one port per concurrently running test file). */
export const metricsAddress = `127.0.0.1:${19400 + Number(process.env.VITEST_POOL_ID ?? 0)}`;

// Workers log every activity failure at WARN; tests provoke many on purpose.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } },
});
