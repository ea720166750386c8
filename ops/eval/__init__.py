"""Evaluations that run against a live Shoreline (a running `make demo`)."""
