"""Applications the benchmarks serve, one module per stack."""
