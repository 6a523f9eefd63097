"""Serving: the snapshot published for BI when every blocking check passed."""
