# The README's two commands: `make run` and `make test`. Each sets itself up first.
.PHONY: run test setup setup-test bench bench-app lint clean

run: setup
	.venv/bin/voicecoach

test: setup-test
	scripts/test.sh

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

bench: setup-test
	.venv/bin/voicecoach bench

# The app itself in tmux, recording from the virtual microphone (~90 min; see
# docs/performance.md). A subset: .venv/bin/python -m voicecoach.bench_app --lengths 30 --takes 2
bench-app: setup-test
	.venv/bin/python -m voicecoach.bench_app --write-doc

lint: setup-test
	.venv/bin/ruff check voicecoach tests

clean:
	rm -rf .venv .pytest_cache .ruff_cache tests/.cache
