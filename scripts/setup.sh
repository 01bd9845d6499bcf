#!/usr/bin/env bash
# One-step set-up: system packages, .venv, Python packages (CPU torch first).
#   scripts/setup.sh          what running the app needs
#   scripts/setup.sh --test   plus what the test suite needs (speech synthesizers,
#                             sox, PulseAudio for the virtual microphone, tmux for
#                             the benchmark that drives the app)
# As root with apt, missing system packages are installed; otherwise the one command
# to run is printed and the script stops.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

run_pkgs=(libportaudio2 libsndfile1 espeak-ng sqlite3)
test_pkgs=(flite sox pulseaudio pulseaudio-utils libasound2-plugins tmux)
pkgs=("${run_pkgs[@]}")
[ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")
python_bin=${PYTHON:-python3}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ! "$python_bin" -m venv --help >/dev/null 2>&1; then missing+=(python3-venv); fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages. Run this once, then try again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python_bin" -m venv .venv
fi
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)

stamp=.venv/.voicecoach-installed
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
  exit 0
fi

if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  # openai-whisper asks for an unpinned torch; installed first, the CPU build
  # satisfies it (a plain resolve would pull a multi-GB CUDA build).
  # Set TORCH_INDEX_URL to PyTorch's CPU wheel index on machines without a local wheel.
  echo "setup: installing torch (CPU build)"
  if [ -n "${TORCH_INDEX_URL:-}" ]; then
    "${pip[@]}" torch==2.13.0 --index-url "$TORCH_INDEX_URL" \
      --extra-index-url "${PIP_INDEX_URL:-https://pypi.org/simple}"
  else
    "${pip[@]}" torch==2.13.0
  fi
fi
echo "setup: installing voicecoach and its dependencies into .venv"
"${pip[@]}" -e ".[dev]"
touch "$stamp"
echo "setup: done"
