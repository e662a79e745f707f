// `npm run build`: compiles the production code to dist/ (no tsx at run time), copies the
// migrations beside it, and prebuilds the workflow bundle the compiled worker loads.
import { execFileSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { bundleOrderWorkflows } from '../src/worker/create-worker.ts';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
cpSync('prisma/migrations', 'dist/prisma/migrations', { recursive: true });
const { code } = await bundleOrderWorkflows();
// Where the compiled worker looks for it (PREBUILT_BUNDLE_PATH, from dist/src/worker/).
writeFileSync('dist/workflow-bundle.js', code);
console.log(`Built dist/ and dist/workflow-bundle.js (${Math.round(code.length / 1024)} KiB)`);
