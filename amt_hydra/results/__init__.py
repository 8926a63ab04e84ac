"""Waiting, progress, tables, result.json and report.html: one code path for every launcher's client."""
