import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../src/util/free-port.ts';

/**
 * Where this test process's workers serve Prometheus metrics: a free port of
 * its own, as a fixed port per pool slot can still be held by the file that
 * ran before in that slot while its process exits.
 */
export const metricsAddress = `127.0.0.1:${await freePort()}`;

// Workers log every activity failure at WARN; tests provoke many on purpose.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } },
});
