import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; secrets and phone numbers are redacted or masked before they get here. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['*.secret', '*.signature', 'headers.authorization', 'headers["x-signature"]'],
      censor: '[redacted]',
    },
  });
}
