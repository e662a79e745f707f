#!/usr/bin/env bash
# One command: install what is needed, lint, then run the whole test suite.
# Integration tests use the PostgreSQL at TEST_DATABASE_URL (default: the
# local server), creating and dropping a database of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# ESLint (type-aware, with the workflow sandbox's import boundary) and Prettier's check.
npm run lint
exec npm test
