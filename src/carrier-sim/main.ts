import { serve } from '@hono/node-server';
import { loadConfig } from '../config.ts';
import { createLogger } from '../util/logger.ts';
import { behaviourFromEnv } from './behaviour.ts';
import { createCarrierSimulator } from './simulator.ts';

const config = loadConfig();
const logger = createLogger(process.env.CARRIER_SIM_NAME ?? 'carrier-sim', config.LOG_LEVEL);
const port = Number(process.env.CARRIER_SIM_PORT || new URL(config.CARRIER_BASE_URL).port || 4000);
const behaviour = behaviourFromEnv(process.env);
const simulator = createCarrierSimulator(config.CARRIER_CALLBACK_SECRET, behaviour);

const server = serve({ fetch: simulator.app.fetch, port }, (info) =>
  logger.info({ port: info.port, behaviour }, 'carrier simulator listening'),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    simulator.stop();
    server.close();
  });
}
