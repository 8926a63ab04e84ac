"""Hydra sweeper plugin: `python my_app.py -m hydra/sweeper=amt ...` runs one SageMaker AMT tuning job.

Hydra imports every module under `hydra_plugins` when it starts, so these stay light: the work is in
`amt_hydra.sweeper`, imported when the sweeper is instantiated.
"""
