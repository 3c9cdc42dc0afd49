"""Benchmarks that print the figures the issues ask for (run as `.venv/bin/python -m bench.<name>`)."""
