"""Performance benchmarks (not tests): ``make bench`` or ``python -m bench``."""
