"""Ingestion: dlt sources over the landing folder, and the demo organisation that fills it."""
