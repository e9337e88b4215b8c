"""Redline: an evidence ledger of political threats, red lines and whether they were enforced."""

__version__ = "0.1.0"
# what the HTML report names as its generator (<meta name="generator" content="Redline 0.1.0">):
# ingest refuses a page that names it, the ledger's own report being no article
GENERATOR = "Redline"
