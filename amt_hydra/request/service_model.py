"""botocore's SageMaker model, cut down to one operation and cached, so validating a request (every run,
dry runs included) does not load the whole 3,000-shape model or import botocore's session and client.

The cut is botocore's own JSON: the operation plus every shape reachable from its input, taken from the
model botocore ships, keyed by botocore's version and the model file, and rebuilt into a real
`botocore.model.ServiceModel`. A missing or unreadable cache only costs a full load.
"""

from __future__ import annotations

import json
import os
from typing import Any

from amt_hydra.cache import cache_dir, read_json, write_json

SERVICE = "sagemaker"


def input_shape(operation: str) -> Any:
    """botocore's input shape of `operation` (a `StructureShape`)."""
    from botocore.model import ServiceModel

    return ServiceModel(_description(operation), SERVICE).operation_model(operation).input_shape


def _description(operation: str) -> dict[str, Any]:
    import botocore
    from botocore.loaders import create_loader

    loader = create_loader()
    version, path = loader.determine_latest_version(SERVICE, "service-2"), None
    for folder in loader.search_paths:
        path = path or _existing(folder, version)
    key = f"{botocore.__version__}:{path}:{_mtime(path)}:{operation}"
    cache = cache_dir() / "botocore-models" / f"{SERVICE}-{operation}.json"
    cached = read_json(cache)
    if cached.get("key") == key and isinstance(cached.get("model"), str):
        return json.loads(cached["model"])
    model = cut(loader.load_service_model(SERVICE, "service-2", version), operation)
    write_json(cache, {"key": key, "model": json.dumps(model)})  # a string: members keep the model's order
    return model


def cut(full: dict[str, Any], operation: str) -> dict[str, Any]:
    """The model with only `operation` and the shapes its input reaches."""
    op = full["operations"][operation]
    shapes: dict[str, Any] = {}
    todo = [op["input"]["shape"]]
    while todo:
        name = todo.pop()
        if name in shapes:
            continue
        shape = shapes[name] = full["shapes"][name]
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        todo.extend(refs)
    return {"version": full.get("version"), "metadata": full["metadata"], "operations": {operation: op},
            "shapes": shapes}


def _existing(folder: str, version: str) -> str | None:
    for suffix in ("service-2.json", "service-2.json.gz"):
        candidate = os.path.join(folder, SERVICE, version, suffix)
        if os.path.exists(candidate):
            return candidate
    return None


def _mtime(path: str | None) -> float | None:
    try:
        return os.stat(path).st_mtime if path else None
    except OSError:
        return None
