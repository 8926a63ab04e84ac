"""The API wing: SageMaker's tuning operations (one handler each), their errors, response shapes and ARNs."""
