"""Unit tests of the benchmark suite's verifier and reporting (no server, no load)."""
