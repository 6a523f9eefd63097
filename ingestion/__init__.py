"""Ingestion: dlt sources over the landing folder (the demo organisation that can fill it is `demo`)."""
