# The README's two commands: `make run` and `make test`. Each sets itself up first.
.PHONY: run test setup setup-test bench lint clean

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

lint: setup-test
	.venv/bin/ruff check voicecoach tests

clean:
	rm -rf .venv .pytest_cache .ruff_cache tests/.cache
