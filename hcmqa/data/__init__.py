"""Data pipeline: documents -> clean text -> sentences -> passages; QA CSV validation and splits."""
