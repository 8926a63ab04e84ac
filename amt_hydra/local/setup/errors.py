"""The one error a request the local engine cannot run raises; the client answers it as ValidationException."""

from __future__ import annotations


class LocalValidationError(ValueError):
    """A request the local engine (and SageMaker) would refuse; the message is SageMaker-like."""
