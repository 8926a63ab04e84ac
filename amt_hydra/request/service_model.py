"""botocore's SageMaker model, cut down to one operation and cached, so validating a request (every run,
dry runs included) neither loads the whole 3,000-shape model nor imports botocore's loader, session or client.

The cut is botocore's own JSON: the operation plus every shape reachable from its input, taken from the
model botocore ships by botocore's own loader. It is keyed by botocore's version and every model file of the
service in the loader's search paths (name and mtime), so checking the key needs only `os.stat`; a new botocore
or a model dropped into `~/.aws/models` rebuilds it. A missing or unreadable cache only costs a full load.
"""

from __future__ import annotations

import json
import os
from typing import Any

from amt_hydra.cache import cache_dir, read_json, write_json

SERVICE = "sagemaker"
FORMAT = 2  # of the cut, in the cache file's name: versions of amt-hydra side by side keep their own


def search_paths() -> list[str]:
    """Where `botocore.loaders.create_loader()` looks (its `Loader`'s defaults; a test holds them equal)."""
    import botocore

    return [os.path.join(os.path.expanduser("~"), ".aws", "models"), os.path.join(botocore.BOTOCORE_ROOT, "data")]


def description(operation: str) -> dict[str, Any]:
    """The cut model (botocore's JSON) of `operation`: `operations` holds only it, `shapes` what its input reaches."""
    key = json.dumps(_key(operation))
    cache = cache_dir() / "botocore-models" / f"{SERVICE}-{operation}.v{FORMAT}.json"
    cached = read_json(cache)
    if cached.get("key") == key and isinstance(cached.get("model"), str):
        return json.loads(cached["model"])
    from botocore.loaders import create_loader

    loader = create_loader()
    full = loader.load_service_model(SERVICE, "service-2", loader.determine_latest_version(SERVICE, "service-2"))
    model = cut(full, operation)
    write_json(cache, {"key": key, "model": json.dumps(model)})  # a string: members keep the model's order
    return model


def input_shape(operation: str) -> Any:
    """botocore's input shape of `operation` (a `botocore.model.StructureShape`), built from the cut."""
    from botocore.model import ServiceModel

    return ServiceModel(description(operation), SERVICE).operation_model(operation).input_shape


def cut(full: dict[str, Any], operation: str) -> dict[str, Any]:
    """The model with only `operation` and the shapes its input reaches, without documentation (validation
    never reads it; it is most of the bytes, and each member ref carrying it would be a trait to merge)."""
    op = _undocumented(full["operations"][operation])
    shapes: dict[str, Any] = {}
    todo = [op["input"]["shape"]]
    while todo:
        name = todo.pop()
        if name in shapes:
            continue
        shape = shapes[name] = _undocumented(full["shapes"][name])
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        todo.extend(refs)
    return {"version": full.get("version"), "metadata": full["metadata"], "operations": {operation: op},
            "shapes": shapes}


def _undocumented(node: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in node.items() if k != "documentation"}
    if "members" in out:
        out["members"] = {name: _undocumented(ref) for name, ref in out["members"].items()}
    return out


def _key(operation: str) -> list[Any]:
    import botocore

    files = [_files(os.path.join(folder, SERVICE)) for folder in search_paths()]
    return [botocore.__version__, operation, files]


def _files(folder: str) -> list[Any]:
    """Every file under `folder` (one level of API versions), with its mtime: what the loader could read."""
    found = []
    for version in _listdir(folder):
        for name in _listdir(os.path.join(folder, version)):
            path = os.path.join(folder, version, name)
            try:
                found.append([version, name, os.stat(path).st_mtime_ns])
            except OSError:
                continue
    return found


def _listdir(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []
