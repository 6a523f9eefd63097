"""Ingestion: the landing folders (collected or dropped exports) and the dlt loads into raw tables."""
