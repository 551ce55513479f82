"""Shared pieces of the benchmark suite: timing, data, the NumPy floor and each engine's workloads.

Modules here that peers' workers import (``harness``, ``data``) use only NumPy and the
standard library, so they run unchanged inside a peer's own virtual environment.
"""
