import type { Reporter } from 'vitest/reporters';

/** Ends the run with a plain "N passed, N failed" line that any CI can read. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd: Reporter['onTestRunEnd'] = (testModules, unhandledErrors) => {
    const counts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    for (const module of testModules) {
      // A file that failed outside its tests (say in beforeAll) counts as one failure.
      if (module.state() === 'failed' && ![...module.children.allTests('failed')].length) counts.failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  };
}
