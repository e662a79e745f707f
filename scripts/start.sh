#!/usr/bin/env bash
# One command for a new user: install what is needed, then start everything.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Straight to node, not through npm, so Ctrl-C and SIGTERM reach the process that stops everything.
exec node --import tsx src/dev/start.ts
