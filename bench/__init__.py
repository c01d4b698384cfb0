"""Benchmarks for Samvær, each measured against a bare baseline in the same run."""
