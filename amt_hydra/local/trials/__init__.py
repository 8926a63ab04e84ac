"""The trials wing: a training job's record, its `Trial` while it runs, and the executor that runs it."""
