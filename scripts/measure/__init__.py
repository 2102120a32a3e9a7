"""Measurements: latency and memory, crisis detection rates, held-out accuracy, the NLU report."""
