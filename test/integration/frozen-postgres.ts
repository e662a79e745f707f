import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.ts';
import { freePort } from '../../src/util/free-port.ts';

/** The process ids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // Field 4 of /proc/<pid>/stat, after the command in parentheses, is the parent's id.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}

/**
 * A PostgreSQL server of the test's own (embedded), which the test can
 * freeze as a stalled host would: the postmaster and every backend stopped
 * (SIGSTOP), connections open and unanswered, new ones accepted by the
 * kernel and never served.
 */
export async function startFreezablePostgres() {
  const dataDir = mkdtempSync(join(tmpdir(), 'frozen-postgres-'));
  const server = await startEmbeddedPostgres(dataDir, await freePort());
  let frozen: number[] = [];
  return {
    url: server.url,
    freeze() {
      const postmaster = server.pid();
      frozen = [postmaster, ...childrenOf(postmaster)];
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
    async stop() {
      if (frozen.length > 0) this.thaw();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
