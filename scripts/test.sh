#!/usr/bin/env bash
# The whole suite: lint, the virtual microphone, pytest, the scoring validation table.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check voicecoach tests
if [ -x scripts/virtual-mic.sh ]; then
  scripts/virtual-mic.sh || echo "test: virtual microphone unavailable; mic tests will skip"
fi
.venv/bin/python -m pytest "$@"
if [ -f voicecoach/validate/__main__.py ]; then
  .venv/bin/python -m voicecoach.validate --quick
fi
