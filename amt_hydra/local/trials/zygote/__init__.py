"""A job's Python entry point forked from a pre-imported interpreter instead of started fresh.

client.py is what the job's toolkit runs as "python"; server.py, the zygote forked from each toolkit process,
forks the entry point; child.py turns that fork into `python script` / `python -m module`. Standard library
only: the fork server loads them without amt_hydra (see trials/forkserver_main.py).
"""
