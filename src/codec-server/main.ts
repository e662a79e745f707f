import { serve } from '@hono/node-server';
import { DEV_CODEC_SERVER_TOKEN } from '../config.ts';
import { loadConfigOrRefuse, refuseToStart } from '../startup.ts';
import { AesGcmPayloadCodec } from '../temporal/payload-codec.ts';
import { createLogger } from '../util/logger.ts';
import { createCodecServerApp } from './app.ts';

const config = loadConfigOrRefuse('Codec server');
const logger = createLogger('codec-server', config.LOG_LEVEL);
if (!config.payloadCodecKeys) refuseToStart('Codec server', 'PAYLOAD_CODEC_KEYS must be set (npm start sets it)');
if (config.NODE_ENV === 'production' && config.CODEC_SERVER_TOKEN === DEV_CODEC_SERVER_TOKEN)
  refuseToStart('Codec server', 'CODEC_SERVER_TOKEN must be set in production');

const app = createCodecServerApp({
  codec: new AesGcmPayloadCodec(config.payloadCodecKeys),
  token: config.CODEC_SERVER_TOKEN,
  uiOrigins: config.codecUiOrigins,
});
const server = serve({ fetch: app.fetch, hostname: config.CODEC_SERVER_HOST, port: config.CODEC_SERVER_PORT }, (info) =>
  logger.info({ port: info.port, uiOrigins: config.codecUiOrigins }, 'Codec server listening'),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close());
