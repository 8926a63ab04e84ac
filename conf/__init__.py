"""The shipped configs, on Hydra's search path as `pkg://amt_hydra.conf`.

This folder stays at the top of the repository; the build maps it into the package (pyproject.toml).
"""
