"""zephyr's benchmark suite (run on demand, not part of the tests)."""
