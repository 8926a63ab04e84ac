"""Maintainers' tool: regenerate `image_uris.json`, the framework image table `images.py` reads.

The table is what the SageMaker SDK's `image_uris.retrieve` answers for training images, written down so that
a base install needs no SDK (whose dependencies are over a gigabyte). Regenerate it after an SDK release:

    pip install sagemaker-core && python -m amt_hydra.spec.image_table

Each entry is `framework|version|py_version|processor` -> `[repository, tag, registries index]`; `registries`
holds each distinct region -> account map once, and `hosts` the ECR host name of each region.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from amt_hydra.spec.images import TABLE

FRAMEWORKS = ("pytorch", "tensorflow", "xgboost", "sklearn", "mxnet")
PROBE_INSTANCE = {"cpu": "ml.c5.xlarge", "gpu": "ml.p3.2xlarge"}
PROBE_REGION = "us-east-1"


def _scope_config(framework: str) -> dict[str, Any]:
    from sagemaker.core import image_uris

    return image_uris._config_for_framework_and_scope(framework, "training")


def _combinations(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every version a user may name (aliases included) with the config it resolves to."""
    aliases = config.get("version_aliases", {})
    names = [*config["versions"], *aliases]
    return [(name, config["versions"][aliases.get(name, name)]) for name in names]


def _entries(framework: str, table: dict[str, Any]) -> None:
    from sagemaker.core import image_uris

    config = _scope_config(framework)
    for version, vconf in _combinations(config):
        processors = set(config.get("processors") or vconf.get("processors") or ["cpu"]) & set(PROBE_INSTANCE)
        for py in vconf.get("py_versions") or [""]:
            sub = vconf.get(py) or vconf
            for processor in sorted(processors):
                try:
                    uri = image_uris.retrieve(framework, region=PROBE_REGION, version=version, py_version=py or None,
                                              instance_type=PROBE_INSTANCE[processor], image_scope="training")
                except (ValueError, KeyError):
                    continue
                repo_tag = uri.split("/", 1)[1]
                repository, tag = repo_tag.rsplit(":", 1)
                index = _registry_index(table["registries"], sub["registries"])
                table["entries"][f"{framework}|{version}|{py}|{processor}"] = [repository, tag, index]


def _registry_index(registries: list[dict[str, str]], mapping: dict[str, str]) -> int:
    if mapping not in registries:
        registries.append(dict(sorted(mapping.items())))
    return registries.index(mapping)


def _hosts(registries: list[dict[str, str]]) -> dict[str, str]:
    from sagemaker.core import common_utils as utils

    regions = sorted({region for mapping in registries for region in mapping})
    hosts = {}
    for region in regions:
        endpoint = utils._botocore_resolver().construct_endpoint("ecr", region)
        hosts[region] = endpoint["hostname"] if endpoint else f"ecr.{region}.amazonaws.com"
    return hosts


def build_table() -> dict[str, Any]:
    """The table, from the installed SDK."""
    logging.getLogger("sagemaker").setLevel(logging.ERROR)
    table: dict[str, Any] = {"entries": {}, "registries": []}
    for framework in FRAMEWORKS:
        _entries(framework, table)
    table["hosts"] = _hosts(table["registries"])
    return table


def dumps(table: dict[str, Any]) -> str:
    """One entry, registry map or host per line, so a regeneration diffs line by line."""
    def block(items: Any) -> str:
        return ",\n".join(items)

    entries = block(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(table["entries"].items()))
    registries = block(f"  {json.dumps(r, sort_keys=True)}" for r in table["registries"])
    hosts = block(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(table["hosts"].items()))
    return (f'{{"generated_by": {json.dumps(table["generated_by"])},\n"entries": {{\n{entries}\n}},\n'
            f'"registries": [\n{registries}\n],\n"hosts": {{\n{hosts}\n}}}}\n')


def main() -> None:
    from importlib.metadata import version

    table = {"generated_by": f"sagemaker-core {version('sagemaker-core')}", **build_table()}
    TABLE.write_text(dumps(table))
    print(f"{TABLE}: {len(table['entries'])} images, {len(table['hosts'])} regions")


if __name__ == "__main__":
    main()
