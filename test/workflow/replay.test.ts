import { readdir, readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataConverter } from '../../src/temporal/data-converter.ts';
import { parseCodecKeys } from '../../src/temporal/payload-codec.ts';
import { bundleOrderWorkflows } from '../../src/worker/create-worker.ts';
import { TEST_CODEC_KEYS_ENV } from '../integration/harness.ts';

// Histories of every path of the order workflow, recorded from the workflow tests (and, continue-as-new,
// from test/integration/operations.test.ts) with RECORD_HISTORIES=1. Replaying them against today's code
// fails CI on a change that would break orders already running on this build. A change that breaks them
// is a new build (Worker Deployments: orders stay on the build that started them, docs/deploying.md): record
// its histories anew and drop these. The histories of the code before versioning, with its patches, are
// replayed by commit e8c31a4, the first versioned build, which runs those orders.
const HISTORIES_DIR = new URL('../fixtures/histories/', import.meta.url);

let workflowBundle: WorkflowBundleOption;
let histories: { workflowId: string; history: ReturnType<typeof historyFromJSON> }[];

beforeAll(async () => {
  workflowBundle = await bundleOrderWorkflows();
  const files = (await readdir(HISTORIES_DIR)).filter((file) => file.endsWith('.json')).sort();
  histories = await Promise.all(
    files.map(async (file) => ({
      workflowId: file,
      history: historyFromJSON(JSON.parse(await readFile(new URL(file, HISTORIES_DIR), 'utf8'))),
    })),
  );
});

describe('workflow determinism', () => {
  it('replays every recorded path against the current workflow code', async () => {
    expect(histories.map((h) => h.workflowId).sort()).toEqual(
      [
        'success-by-callback-attributes-at-start',
        'callback-before-answer',
        'callback-repeat-and-contradiction',
        'transient-faults-then-success',
        'refused',
        'refused-refunded',
        'failover-on-refusal',
        'failover-on-failed-callback',
        'never-received-new-attempt',
        'every-supplier-refused',
        'no-supplier-available',
        'all-attempts-failed-unknown',
        'status-query-at-deadline',
        'status-endpoint-down',
        'escalated-then-late-callback',
        'escalated-while-submitting',
        'escalated-continued-as-new',
        'operator-resolve',
        'operator-resolve-contradicted',
        'operator-signals',
        'operator-retry',
        'operator-retry-checked',
        'operator-retry-not-resubmitted',
        'operator-failed-refunded',
        'merchant-notified',
        'notification-gave-up',
        'reconciliation',
      ]
        .map((name) => `${name}.json`)
        .sort(),
    );
    // One code version: no history carries a patch marker or a TemporalChangeVersion.
    for (const { workflowId, history } of histories) {
      const patches = (history.events ?? []).filter(
        (event) => event.markerRecordedEventAttributes?.markerName === 'core_patch',
      );
      expect(patches, workflowId).toEqual([]);
    }
    // The continue-as-new history was recorded on the integration stack, whose payloads are encrypted.
    const dataConverter = createDataConverter(parseCodecKeys(TEST_CODEC_KEYS_ENV));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle, dataConverter }, histories))
      results.push(result);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error?.message}`)).toEqual([]);
    expect(results).toHaveLength(histories.length);
  });

  it('fails on a history the code would not produce (the check can fail)', async () => {
    const { history } = histories.find((h) => h.workflowId === 'success-by-callback-attributes-at-start.json')!;
    const tampered = structuredClone(history);
    const scheduled = tampered.events?.find((event) => event.activityTaskScheduledEventAttributes);
    scheduled!.activityTaskScheduledEventAttributes!.activityType = { name: 'chargeTwice' };
    await expect(Worker.runReplayHistory({ workflowBundle }, tampered)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});
