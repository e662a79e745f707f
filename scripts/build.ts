// `npm run build`: compiles the production code to dist/ (no tsx at run time), copies the
// migrations beside it, prebuilds the workflow bundle the compiled worker loads, and records
// the build's id (BUILD_ID, or the package version and git commit): the Worker Deployment
// version its workers run as.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { sourceBuildId } from '../src/util/build-id.ts';
import { bundleOrderWorkflows } from '../src/worker/create-worker.ts';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('prisma/migrations', 'dist/prisma/migrations', { recursive: true });
cpSync('data/segments', 'dist/data/segments', { recursive: true });
const { code } = await bundleOrderWorkflows();
// Where the compiled worker looks for it (PREBUILT_BUNDLE_PATH, from dist/src/worker/).
writeFileSync('dist/workflow-bundle.js', code);
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const buildId = process.env.BUILD_ID || sourceBuildId(version);
// Where the compiled code looks for it (BUILD_INFO_PATH, from dist/src/util/).
writeFileSync('dist/build-info.json', `${JSON.stringify({ buildId })}\n`);
console.log(`Built dist/ and dist/workflow-bundle.js (${Math.round(code.length / 1024)} KiB), build ${buildId}`);
