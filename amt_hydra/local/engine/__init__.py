"""The engine wing: the detached process and the scheduler loop that runs one tuning job to its end."""
