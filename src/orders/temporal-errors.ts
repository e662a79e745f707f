/** gRPC DEADLINE_EXCEEDED (4) or UNAVAILABLE (14), as the Temporal client raises them (possibly wrapped). */
export function isGrpcTimeoutOrUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 4 || code === 14) return true;
  }
  return false;
}
