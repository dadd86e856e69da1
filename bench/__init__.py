"""Benchmarks. Each prints JSON and compares with a simple baseline in the same run."""
