"""Benchmarks: `make bench` (python -m bench) times the engine and writes bench/RESULTS.md."""
