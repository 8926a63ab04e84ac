"""amt-hydra: composable Hydra configs for SageMaker Automatic Model Tuning.

configs (conf/, amt_hydra.config) -> spec (amt_hydra.spec) -> request (amt_hydra.request)
-> launcher (amt_hydra.launcher, amt_hydra.local) -> results (amt_hydra.results).
"""

__version__ = "0.1.0"
