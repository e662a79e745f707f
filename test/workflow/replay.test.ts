import { readdir, readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleOrderWorkflows } from '../../src/worker/create-worker.ts';

// Histories of every path of the order workflow, recorded from the workflow tests with
// RECORD_HISTORIES=1. Replaying them against today's code fails CI on any
// change that would break orders already running in production.
const HISTORIES_DIR = new URL('../fixtures/histories/', import.meta.url);

let workflowBundle: WorkflowBundleOption;
let histories: { workflowId: string; history: ReturnType<typeof historyFromJSON> }[];

beforeAll(async () => {
  workflowBundle = await bundleOrderWorkflows();
  const files = (await readdir(HISTORIES_DIR)).filter((file) => file.endsWith('.json')).sort();
  histories = await Promise.all(files.map(async (file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(await readFile(new URL(file, HISTORIES_DIR), 'utf8'))) })));
});

describe('workflow determinism', () => {
  it('replays every recorded main-path history against the current workflow code', async () => {
    expect(histories.map((h) => h.workflowId)).toEqual(
      expect.arrayContaining([
        'success-by-callback.json',
        'success-by-callback-attributes-at-start.json',
        'callback-before-answer.json',
        'callback-repeat-and-contradiction.json',
        'transient-faults-then-success.json',
        'all-attempts-failed-unknown.json',
        'status-query-at-deadline.json',
        'status-endpoint-down.json',
        'escalated-then-late-callback.json',
        'escalated-while-submitting.json',
        'operator-resolve.json',
        'operator-resolve-contradicted.json',
        'operator-signals.json',
        'operator-retry.json',
        'operator-retry-checked.json',
        'operator-retry-not-resubmitted.json',
        'operator-failed-refunded.json',
        'refused.json',
        'refused-refunded.json',
        'merchant-notified.json',
        'notification-gave-up.json',
        'reconciliation.json',
      ]),
    );
    // Each order path also as recorded after the workflow became the only writer of an order's status (the patch's branch).
    expect(histories.filter((h) => h.workflowId.endsWith('.workflow-writes-status.json'))).toHaveLength(20);
    // And as recorded under `coalesced-order-writes`, then under `supplier-routing` (with two paths of failover),
    // each of which new runs asked for instead of the earlier patches: its marker only.
    const coalesced = histories.filter((h) => h.workflowId.endsWith('.coalesced-writes.json'));
    expect(coalesced).toHaveLength(20);
    const routed = histories.filter((h) => h.workflowId.endsWith('.supplier-routing.json'));
    expect(routed.map((h) => h.workflowId)).toEqual(expect.arrayContaining(['failover-on-refusal.supplier-routing.json', 'every-supplier-refused.supplier-routing.json']));
    expect(routed).toHaveLength(22);
    for (const { workflowId, history } of [...coalesced, ...routed]) {
      const patches = (history.events ?? []).flatMap((event) => (event.markerRecordedEventAttributes?.markerName === 'core_patch' ? [event] : []));
      expect(patches, workflowId).toHaveLength(1);
    }
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) results.push(result);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error?.message}`)).toEqual([]);
    expect(results).toHaveLength(histories.length);
  });

  it('fails on a history the code would not produce (the check can fail)', async () => {
    const { history } = histories.find((h) => h.workflowId === 'success-by-callback.json')!;
    const tampered = structuredClone(history);
    const scheduled = tampered.events?.find((event) => event.activityTaskScheduledEventAttributes);
    scheduled!.activityTaskScheduledEventAttributes!.activityType = { name: 'chargeTwice' };
    await expect(Worker.runReplayHistory({ workflowBundle }, tampered)).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
