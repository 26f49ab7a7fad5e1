"""Benchmarks of zentrunk_async against the emulator: ``python -m benchmarks [--quick]``."""
