#!/usr/bin/env bash
# One command for a new user: install what is needed, then start everything.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec npm start
