import { ConfigError, loadConfig } from '../config.ts';
import { createOperatorRepository } from '../db/operator-repository.ts';
import { createPrisma } from '../db/prisma.ts';
import { OPERATORS_USAGE, UsageError, runOperatorCommand } from './operator-commands.ts';

/**
 * `npm run admin -- <area> <command>`: administration from a terminal with
 * access to the database. In development, without DATABASE_URL, it uses
 * the embedded PostgreSQL `npm start` runs.
 */
const [area, ...rest] = process.argv.slice(2);
try {
  if (area !== 'operators') throw new UsageError(OPERATORS_USAGE);
  const config = loadConfig();
  const databaseUrl =
    config.DATABASE_URL ??
    (config.NODE_ENV === 'production'
      ? undefined
      : `postgresql://postgres:postgres@127.0.0.1:${config.EMBEDDED_PG_PORT}/recharge`);
  if (!databaseUrl) throw new ConfigError('DATABASE_URL must be set');
  const prisma = createPrisma(databaseUrl, 1, { connectMs: 5_000 });
  try {
    await runOperatorCommand(rest, createOperatorRepository(prisma), (line) => console.log(line));
  } finally {
    await prisma.$disconnect();
  }
} catch (error) {
  if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
