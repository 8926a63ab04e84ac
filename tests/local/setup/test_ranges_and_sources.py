"""The request as the engine reads it: scaling of ranges, local copies of S3 URIs."""

from __future__ import annotations

import math
from pathlib import Path

from amt_hydra.local.setup.ranges import parse_ranges
from amt_hydra.local.setup.sources import encode_like, resolve


def test_ranges_map_scaling_faithfully() -> None:
    ranges = parse_ranges(
        {
            "ContinuousParameterRanges": [
                {"Name": "m", "MinValue": "0.9", "MaxValue": "0.999", "ScalingType": "ReverseLogarithmic"},
                {"Name": "lr", "MinValue": "1e-5", "MaxValue": "1", "ScalingType": "Logarithmic"},
            ],
            "IntegerParameterRanges": [
                {"Name": "n", "MinValue": "1", "MaxValue": "64", "ScalingType": "Logarithmic"}
            ],
            "CategoricalParameterRanges": [{"Name": "c", "Values": ['"a"', "b"]}],
        }
    )
    n, m, lr, c = ranges  # integer, continuous, categorical, in the request's order within each
    dist = m.distribution()
    assert dist.log and math.isclose(dist.low, 0.001) and math.isclose(dist.high, 0.1)
    assert float(m.to_hp(0.01)) == 0.99 and math.isclose(m.from_hp("0.99"), 0.01)
    assert lr.distribution().log and n.distribution().log and n.to_hp(7.0) == "7"
    assert c.distribution().choices == ('"a"', "b") and c.from_hp("z") is None
    assert n.cardinality == 64 and lr.cardinality is None


def test_local_copies_resolve_exact_then_longest_prefix(tmp_path: Path) -> None:
    copies = {"s3://b/data": "/d", "s3://b/data/train/": "/t", "s3://b/code/sourcedir.tar.gz": "/src"}
    assert resolve("s3://b/code/sourcedir.tar.gz", copies) == Path("/src")
    assert resolve("s3://b/data/train/x.csv", copies) == Path("/t/x.csv")
    assert resolve("s3://b/data/valid", copies) == Path("/d/valid")
    assert resolve("s3://b/database", copies) is None
    assert encode_like('"s3://b/x"', "/local") == '"/local"' and encode_like("s3://b/x", "/local") == "/local"
