import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newCodecKeyEntry } from '../temporal/payload-codec.ts';

/**
 * The development payload codec key, made once and kept in the data folder
 * (readable by its owner only), so that histories written before a restart
 * still decode after it.
 */
export function devCodecKeys(dataDir: string): string {
  const file = join(dataDir, 'payload-codec-keys');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, newCodecKeyEntry('dev-1'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
