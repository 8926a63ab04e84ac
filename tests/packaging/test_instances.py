"""Instance fallbacks from the command line: `instances=[...]` sets the list, `fallbacks=<preset>` picks one."""

from __future__ import annotations

from tests.helpers import render

XGB = ["+experiment=xgboost_fallbacks"]


def _instance_types(request: dict) -> list[str]:
    configs = request["TrainingJobDefinition"]["HyperParameterTuningResourceConfig"]["InstanceConfigs"]
    return [c["InstanceType"] for c in configs]


def test_one_override_sets_the_whole_list() -> None:
    listed = "instances=[{instance_type: ml.c5.xlarge}, {instance_type: ml.m5.large, volume_size_gb: 8}]"
    request = render([*XGB, listed])
    assert _instance_types(request) == ["ml.c5.xlarge", "ml.m5.large"]


def test_presets_still_apply() -> None:
    assert _instance_types(render(XGB)) == ["ml.m4.xlarge", "ml.m5.4xlarge"]
    plain = render([*XGB, "fallbacks=none"])["TrainingJobDefinition"]
    assert "HyperParameterTuningResourceConfig" not in plain
    assert plain["ResourceConfig"]["InstanceType"] == "ml.m4.xlarge"


def test_a_preset_without_an_experiment() -> None:
    request = render(["+estimator=xgboost_script", "+search_space=xgboost", "+metric=xgboost_validation_rmse",
                      "+fallbacks=xgboost_fallbacks"])
    assert _instance_types(request) == ["ml.m4.xlarge", "ml.m5.4xlarge"]
