"""Development tools, not shipped in the wheel: benchmarks, the scoring validation,
speech synthesis and WER. Run from a checkout: `python -m tools.validate`, `make bench`."""
