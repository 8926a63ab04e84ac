"""Render a `TuningSpec` into the exact `CreateHyperParameterTuningJob` request, and check it."""

from amt_hydra.request.render import Rendered, render_request
from amt_hydra.request.validate import validate_request

__all__ = ["Rendered", "render_request", "validate_request"]
