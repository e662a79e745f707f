/** What a readiness probe reports per dependency: `ok`, or why not. */
export type ReadinessReport = Record<string, string>;

/**
 * A readiness probe over named checks, each given `timeoutMs`: a process is
 * ready when every dependency it cannot work without answers.
 */
export function createReadiness(
  checks: Record<string, () => Promise<unknown>>,
  { timeoutMs = 2_000, build }: { timeoutMs?: number; build?: BuildInfo } = {},
) {
  const within = async (check: () => Promise<unknown>): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([check(), timeout]);
      return 'ok';
    } catch (error) {
      return `unreachable: ${(error as Error).message.split('\n')[0]}`;
    } finally {
      clearTimeout(timer);
    }
  };
  return async (): Promise<{ ready: boolean; checks: ReadinessReport; build?: BuildInfo }> => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => within(checks[name] as () => Promise<unknown>)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i] as string]));
    return { ready: results.every((result) => result === 'ok'), checks: report, ...(build && { build }) };
  };
}

/** Which build a process runs, and (a worker) the Worker Deployment it is a version of. */
export interface BuildInfo {
  buildId: string;
  deploymentName?: string;
}

export type Readiness = ReturnType<typeof createReadiness>;

/** What the API and the worker cannot work without: their database and Temporal; with the build they run. */
export function databaseAndTemporalReadiness({
  db,
  temporal,
  build,
}: {
  db: { $queryRaw(query: TemplateStringsArray): PromiseLike<unknown> };
  temporal: { workflowService: { getSystemInfo(request: object): Promise<unknown> } };
  build?: BuildInfo;
}) {
  return createReadiness(
    { database: async () => db.$queryRaw`SELECT 1`, temporal: () => temporal.workflowService.getSystemInfo({}) },
    { ...(build && { build }) },
  );
}
