"""Framework image URIs, looked up with the sagemaker SDK once and remembered on disk.

Importing the SDK costs about two seconds, so a repeated dry run reads the cache instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from amt_hydra.cache import cache_dir, read_json, write_json
from amt_hydra.constants import ENV_IMAGE_CACHE
from amt_hydra.errors import ConfigError


def cache_path() -> Path:
    default = cache_dir() / "image_uris.json"
    return Path(os.environ.get(ENV_IMAGE_CACHE) or default)


def _processor(instance_type: str) -> str:
    family = instance_type.removeprefix("ml.").split(".")[0]
    return "gpu" if family[:1] in ("p", "g") else "cpu"


def lookup_image(framework: str, version: str, py_version: str | None, region: str, instance_type: str) -> str:
    """The training image of a framework container, as the SDK's `image_uris.retrieve` gives it."""
    key = "|".join([framework, version, py_version or "", region, _processor(instance_type)])
    cache = read_json(cache_path())
    if key in cache:
        return cache[key]
    uri = _retrieve(framework, version, py_version, region, instance_type)
    cache[key] = uri
    write_json(cache_path(), cache)
    return uri


def _retrieve(framework: str, version: str, py_version: str | None, region: str, instance_type: str) -> str:
    try:
        from sagemaker.core import image_uris
    except ImportError as exc:  # pragma: no cover - sagemaker is a dependency
        raise ConfigError("estimator.framework", f"image lookup needs the sagemaker SDK ({exc}); "
                          "pip install sagemaker, or set estimator.image_uri") from None
    try:
        return image_uris.retrieve(framework, region=region, version=version, py_version=py_version,
                                   instance_type=instance_type, image_scope="training")
    except (ValueError, KeyError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError("estimator.framework_version", f"no {framework} {version} ({py_version}) "
                          f"training image in {region}: {detail}") from None
