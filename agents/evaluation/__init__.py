"""Offline evaluation of the message classifiers against a labelled devset."""

from agents.evaluation.cli import main

__all__ = ["main"]
