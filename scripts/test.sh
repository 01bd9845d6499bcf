#!/usr/bin/env bash
# The whole suite: lint, the layers contract, the virtual microphone, pytest, the
# scoring validation table.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check voicecoach tools tests
.venv/bin/lint-imports --no-cache  # the layers of docs/architecture.md (.importlinter)
if [ -x scripts/virtual-mic.sh ]; then
  scripts/virtual-mic.sh || echo "test: virtual microphone unavailable; mic tests will skip"
fi
.venv/bin/python -m pytest "$@"
if [ -f tools/validate/__main__.py ]; then
  .venv/bin/python -m tools.validate --quick
fi
