// Registers the order search attributes on TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (self-hosted clusters; idempotent).
import { Connection } from '@temporalio/client';
import { loadConfig } from '../src/config.ts';
import { temporalSecurity } from '../src/temporal/connection-security.ts';
import { registerOrderSearchAttributes } from '../src/temporal/search-attributes.ts';

const config = loadConfig();
if (!config.TEMPORAL_ADDRESS) throw new Error('Set TEMPORAL_ADDRESS');
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, ...temporalSecurity(config) });
const added = await registerOrderSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
console.log(added.length ? `Registered: ${added.join(', ')}` : 'All order search attributes exist');
await connection.close();
