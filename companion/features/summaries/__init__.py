"""Facilitator summaries: a cited summary per session on ingest, digests across a series."""
