import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

/** Where the replay suite's histories live (test/workflow/replay.test.ts replays each against the workflow code). */
export const HISTORIES_DIR = new URL('../fixtures/histories/', import.meta.url);

/**
 * With RECORD_HISTORIES set, saves a workflow's history as a replay
 * fixture: `<name>.json` for RECORD_HISTORIES=1, `<name>.<value>.json`
 * otherwise. A recorded history is a contract with the orders of its build,
 * so it is never overwritten: changed code records under a new value.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  const version = process.env.RECORD_HISTORIES;
  if (!version) return;
  const file = new URL(`${version === '1' ? name : `${name}.${version}`}.json`, HISTORIES_DIR);
  if (existsSync(file)) return;
  await writeFile(file, historyToJSON(await handle.fetchHistory()));
}
