"""Framework image URIs, read from a table of the SageMaker SDK's answers (`image_uris.json`).

The SDK that knows them (`sagemaker-core`) pulls in over a gigabyte (pandas, ...), so a base install carries its
answers instead; `python -m amt_hydra.spec.image_table` regenerates the table. A version the table does not
know is asked of the SDK when it is installed, else it is a one-line error naming the way out.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from amt_hydra.errors import ConfigError

SDK_LOGGERS = ("sagemaker",)
TABLE = Path(__file__).with_name("image_uris.json")  # written by `python -m amt_hydra.spec.image_table`


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return json.loads(TABLE.read_text())


def _processor(instance_type: str) -> str:
    family = instance_type.removeprefix("ml.").split(".")[0]
    return "gpu" if family[:1] in ("p", "g") else "cpu"


def lookup_image(framework: str, version: str, py_version: str | None, region: str, instance_type: str) -> str:
    """The training image of a framework container, as the SDK's `image_uris.retrieve` gives it."""
    uri = _from_table(framework, version, py_version, region, _processor(instance_type))
    return uri or _retrieve(framework, version, py_version, region, instance_type)


def _from_table(framework: str, version: str, py_version: str | None, region: str, processor: str) -> str | None:
    t = table()
    # A py_version the image does not use is ignored, as the SDK does.
    entry = t["entries"].get(f"{framework}|{version}|{py_version or ''}|{processor}") \
        or t["entries"].get(f"{framework}|{version}||{processor}")
    if entry is None:
        return None
    repository, tag, index = entry
    account = t["registries"][index].get(region)
    if account is None:
        raise ConfigError("region", f"no {framework} {version} training image in {region}; "
                          f"regions: {', '.join(sorted(t['registries'][index]))}")
    return f"{account}.dkr.{t['hosts'][region]}/{repository}:{tag}"


def _known_versions(framework: str) -> list[str]:
    versions = {key.split("|")[1] for key in table()["entries"] if key.startswith(f"{framework}|")}
    return sorted(versions, key=lambda v: [int(p) if p.isdigit() else p for p in v.replace("-", ".").split(".")])


def _retrieve(framework: str, version: str, py_version: str | None, region: str, instance_type: str) -> str:
    try:
        from sagemaker.core import image_uris
    except ImportError:
        known = _known_versions(framework)
        hint = f"known versions: {', '.join(known[-8:])}" if known else f"unknown framework {framework!r}"
        raise ConfigError("estimator.framework_version", f"no {framework} {version} ({py_version}) training image "
                          f"in amt-hydra's table ({hint}); set estimator.image_uri, or pip install sagemaker-core "
                          "to ask the SDK") from None
    quiet_sdk_logging()
    try:
        return image_uris.retrieve(framework, region=region, version=version, py_version=py_version,
                                   instance_type=instance_type, image_scope="training")
    except (ValueError, KeyError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError("estimator.framework_version", f"no {framework} {version} ({py_version}) "
                          f"training image in {region}: {detail}") from None


def quiet_sdk_logging() -> None:
    """The SDK logs each lookup at INFO (`Ignoring unnecessary Python version`); only warnings are news."""
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
