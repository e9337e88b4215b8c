"""Redline: an evidence ledger of political threats, red lines and whether they were enforced."""

__version__ = "0.1.0"
