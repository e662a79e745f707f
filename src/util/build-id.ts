/**
 * Which build of the code this process runs: the build id its workers
 * declare as their Worker Deployment version (an order stays on the build
 * that started it). BUILD_ID wins; a compiled build (`npm run build`) has its
 * id in dist/build-info.json; run from the sources, it is the package version
 * and git commit, plus a hash of the workflow code when that has uncommitted
 * changes (changed workflow code is a new build, or open orders would replay
 * code they did not run).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { modulePath } from './module-path.ts';

/** Where `npm run build` writes the build's id: dist/build-info.json, as the compiled code (dist/src/util/) finds it. */
export const BUILD_INFO_PATH = modulePath('../../build-info.json', import.meta.url);

const PROJECT_ROOT = modulePath('../..', import.meta.url);
/** The code that runs inside workflows: what a build id stands for. */
const WORKFLOW_SOURCES = ['src/workflows', 'src/shared'];

const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

/** A short hash of the workflow code as it is on disk. */
export function workflowCodeHash(root = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  for (const dir of WORKFLOW_SOURCES) {
    const files = readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    for (const file of files) hash.update(file.slice(root.length)).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

/** The id of the build in the sources: `<version>-<commit>`, `.dirty-<hash>` added when the workflow code has uncommitted changes. */
export function sourceBuildId(version: string): string {
  let commit: string;
  try {
    commit = git('rev-parse', '--short=12', 'HEAD');
  } catch {
    // No git (an exported tree): the workflow code's own hash names it.
    return `${version}-src.${workflowCodeHash()}`;
  }
  const dirty = git('status', '--porcelain', '--', ...WORKFLOW_SOURCES) !== '';
  return dirty ? `${version}-${commit}.dirty-${workflowCodeHash()}` : `${version}-${commit}`;
}

const packageVersion = () =>
  (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** This process's build id: BUILD_ID, the compiled build's, or the sources'. */
export function currentBuildId(override?: string): string {
  if (override) return override;
  if (existsSync(BUILD_INFO_PATH))
    return (JSON.parse(readFileSync(BUILD_INFO_PATH, 'utf8')) as { buildId: string }).buildId;
  return sourceBuildId(packageVersion());
}
