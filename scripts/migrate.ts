// Applies prisma/migrations to DATABASE_URL, recorded as `prisma migrate deploy` records them.
import { applyMigrations } from '../src/db/migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL');
const applied = await applyMigrations(url);
console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
