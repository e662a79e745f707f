import type { Client } from '@temporalio/client';
import { vi } from 'vitest';
import type { Logger } from '../../../src/util/logger.ts';
import { stub } from '../routes/fake-app.ts';

type HandleMethod = (...args: never[]) => Promise<unknown>;

/**
 * A Temporal client whose workflow handles do what the test gives them
 * (anything else fails): `handles` records the workflow ids asked for,
 * `start` is the client's workflow.start.
 */
export function fakeTemporal(
  handle: Partial<Record<'signal' | 'executeUpdate' | 'query' | 'describe', HandleMethod>> = {},
  start: HandleMethod = async () => ({}),
) {
  const handles: string[] = [];
  const deadlines: number[] = [];
  const client = {
    workflow: {
      getHandle: (workflowId: string) => {
        handles.push(workflowId);
        return stub('workflow handle', handle);
      },
      start,
    },
    withDeadline: <T>(deadline: number, run: () => Promise<T>) => {
      deadlines.push(deadline);
      return run();
    },
  };
  return { client: client as unknown as Client, handles, deadlines };
}

/** A logger that records what it is given. */
export function fakeLogger() {
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  return { logger: logger as unknown as Logger, ...logger };
}
