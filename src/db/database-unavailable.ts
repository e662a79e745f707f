/**
 * Whether an error means the database is away (stopped, restarting, frozen,
 * cut off) rather than a fault of the request or of our code: the answer is
 * then 503 and "retry", never 500. Errors come raw from pg (prepared
 * statements on the pool) or wrapped by Prisma's driver adapter.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && typeof cause === 'object' && depth < 5; depth++) {
    if (isAwaySignal(cause)) return true;
    cause = (cause as ErrorLike).cause;
  }
  return false;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown; code?: unknown } } };
}

/** Prisma's codes for a server it cannot reach, that timed out, closed the connection, or had no connection free. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** The driver adapter's kinds for the same. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Sockets that failed, and PostgreSQL's own: shutting down or starting (57P0x), connection exceptions (08xxx), too many clients (53300). */
const DRIVER_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|57P0[123]|08\w{3}|53300)$/;
/** pg's own words for a connection it gave up on. */
const DRIVER_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error)/;

function isAwaySignal(error: ErrorLike): boolean {
  const adapter = error.meta?.driverAdapterError?.cause;
  if (typeof error.code === 'string' && (PRISMA_CODES.has(error.code) || DRIVER_CODES.test(error.code))) return true;
  if (typeof adapter?.kind === 'string' && ADAPTER_KINDS.has(adapter.kind)) return true;
  const adapterCode = adapter?.originalCode ?? adapter?.code;
  if (typeof adapterCode === 'string' && DRIVER_CODES.test(adapterCode)) return true;
  return typeof error.message === 'string' && DRIVER_MESSAGES.test(error.message);
}
