"""The Hydra sweeper behind `hydra/sweeper=amt`: an existing `@hydra.main` app tuned by one AMT job.

`_impl.AmtSweeperImpl` turns the sweep overrides into a search space and the rest of `hydra.sweeper` into
the same config the CLI composes, then reuses spec, request, launcher and results; `entry.py` is the
training jobs' entry point, shipped with the app.
"""
