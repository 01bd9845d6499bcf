# The README's two commands: `make run` and `make test`. Each sets itself up first.
# Development tools live in tools/ (not shipped in the wheel) and run from this checkout.
.PHONY: run test setup setup-test bench bench-app validate lint clean

run: setup
	.venv/bin/voicecoach

test: setup-test
	scripts/test.sh

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

bench: setup-test
	.venv/bin/python -m tools.bench

# The app itself in tmux, recording from the virtual microphone (~90 min; see
# docs/performance.md). A subset: .venv/bin/python -m tools.bench_app --lengths 30 --takes 2
bench-app: setup-test
	.venv/bin/python -m tools.bench_app --write-doc

# The full scoring validation (docs/scoring.md); `make test` runs its --quick form.
validate: setup-test
	.venv/bin/python -m tools.validate

lint: setup-test
	.venv/bin/ruff check voicecoach tools tests
	.venv/bin/lint-imports

clean:
	rm -rf .venv .pytest_cache .ruff_cache tests/.cache
