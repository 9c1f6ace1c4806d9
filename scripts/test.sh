#!/usr/bin/env bash
# Run the whole test suite (installing first what is missing): lint, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-run
.venv/bin/ruff check .
.venv/bin/pytest -q -p no:cacheprovider "$@"
