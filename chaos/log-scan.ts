import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A mainland mobile number standing alone: not part of a longer number (a timestamp) or of a hex id (a UUID's last group). */
const FULL_PHONE = /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/;

export interface Leak {
  file: string;
  line: number;
  what: string;
}

/**
 * Every line of every log in `logDir` that holds a full phone number (any
 * of the run's `phones` anywhere in it, or any other number shaped like one
 * standing alone) or one of `secrets` (API keys, signing secrets, the admin
 * token). Names what leaked, never the value.
 */
export function scanLogs(
  logDir: string,
  { secrets, phones }: { secrets: Record<string, string>; phones: string[] },
): Leak[] {
  const leaks: Leak[] = [];
  for (const file of readdirSync(logDir).filter((name) => name.endsWith('.log'))) {
    readFileSync(join(logDir, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (FULL_PHONE.test(text) || phones.some((phone) => text.includes(phone)))
          leaks.push({ file, line: i + 1, what: 'a full phone number' });
        for (const [name, secret] of Object.entries(secrets))
          if (text.includes(secret)) leaks.push({ file, line: i + 1, what: name });
      });
  }
  return leaks;
}
