"""The image table answers what the SageMaker SDK answers; what it does not know is one line with the way out."""

from __future__ import annotations

import subprocess
import sys

import pytest

from amt_hydra.errors import ConfigError
from amt_hydra.spec.images import _from_table, lookup_image, table

CASES = [("pytorch", "2.3", "py311", "ml.c5.2xlarge"), ("pytorch", "2.3", "py311", "ml.g5.xlarge"),
         ("xgboost", "1.7-1", "py3", "ml.m4.xlarge"), ("sklearn", "1.2-1", "py3", "ml.m5.large"),
         ("tensorflow", "2.16", "py310", "ml.c5.xlarge")]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"]


@pytest.mark.parametrize("case", CASES, ids=["-".join(c[:2] + (c[3],)) for c in CASES])
@pytest.mark.parametrize("region", REGIONS)
def test_table_matches_the_sdk(case: tuple[str, str, str, str], region: str) -> None:
    image_uris = pytest.importorskip("sagemaker.core.image_uris")
    framework, version, py, instance = case
    expected = image_uris.retrieve(framework, region=region, version=version, py_version=py,
                                   instance_type=instance, image_scope="training")
    assert lookup_image(framework, version, py, region, instance) == expected


def test_every_entry_names_a_known_registry_and_host() -> None:
    t = table()
    for repository, tag, index in t["entries"].values():
        assert repository and tag and t["registries"][index]
        assert set(t["registries"][index]) <= set(t["hosts"])


def test_unknown_version_without_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sagemaker.core", None)  # as on a base install, where the SDK is absent
    with pytest.raises(ConfigError) as err:
        lookup_image("pytorch", "0.0.1", "py311", "us-east-1", "ml.c5.xlarge")
    message = str(err.value)
    assert err.value.key == "estimator.framework_version" and "\n" not in message
    assert "estimator.image_uri" in message and "known versions: " in message


def test_unknown_region_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        _from_table("pytorch", "2.3", "py311", "xx-nowhere-1", "cpu")
    assert err.value.key == "region"


SDK_CALL = "image_uris.retrieve('xgboost', region='us-east-1', version='1.7-1', py_version='py3', " \
           "instance_type='ml.m4.xlarge', image_scope='training')"


@pytest.mark.parametrize("quiet", [False, True])
def test_sdk_info_logging_is_hidden(quiet: bool) -> None:
    """The SDK says `Ignoring unnecessary Python version` at INFO on every lookup; ours keeps it below WARNING."""
    pytest.importorskip("sagemaker.core.image_uris")
    setup = "from amt_hydra.spec.images import quiet_sdk_logging; quiet_sdk_logging(); " if quiet else ""
    code = f"import logging; logging.basicConfig(level=logging.INFO); from sagemaker.core import image_uris; " \
           f"{setup}{SDK_CALL}"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert ("Ignoring unnecessary Python version" in result.stdout + result.stderr) is not quiet
