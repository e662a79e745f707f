import { serve } from '@hono/node-server';
import { loadConfig } from '../config.ts';
import { createLogger } from '../util/logger.ts';
import { behaviourFromEnv } from './behaviour.ts';
import { openRecords, readRecords } from './records.ts';
import { createCarrierSimulator } from './simulator.ts';

const config = loadConfig();
const logger = createLogger(process.env.CARRIER_SIM_NAME ?? 'carrier-sim', config.LOG_LEVEL);
const port = Number(process.env.CARRIER_SIM_PORT || new URL(config.CARRIER_BASE_URL).port || 4000);
const behaviour = behaviourFromEnv(process.env);
// Its books, as a real supplier keeps them: what it took and credited, on disk before it answers, read back at start.
const dataFile = process.env.CARRIER_SIM_DATA_FILE || undefined;
const books = dataFile ? readRecords(dataFile) : undefined;
const records = dataFile ? await openRecords(dataFile) : undefined;
const simulator = createCarrierSimulator(config.CARRIER_CALLBACK_SECRET, behaviour, {
  ...(records && { records }),
  ...(books && { recorded: books.orders, phantoms: books.phantoms }),
});

const server = serve({ fetch: simulator.app.fetch, port }, (info) =>
  logger.info(
    {
      port: info.port,
      behaviour,
      ...(books && {
        recordedOrders: books.orders.size,
        phantomCharges: books.phantoms.size,
        unreadableLines: books.skippedLines,
      }),
    },
    'carrier simulator listening',
  ),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    simulator.stop();
    server.close();
    void records?.close();
  });
}
