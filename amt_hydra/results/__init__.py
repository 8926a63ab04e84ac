"""Waiting, progress, tables, result.json, report.html, the CSV export and the Optuna study: one code path for
every launcher's client.
"""
