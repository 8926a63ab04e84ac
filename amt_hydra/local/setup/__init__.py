"""The request as the engine reads it: TuningSetup, ranges, local copies of S3 URIs, LocalValidationError."""
