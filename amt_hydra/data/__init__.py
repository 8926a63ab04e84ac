"""MNIST-format datasets for the example experiments: `python -m amt_hydra.data {mnist,fashion_mnist} [DIR]`.

`check_dataset(dir, dataset)` is what the config layer calls before a run; it raises `DataMissingError`
(a `UserError`) naming the command that prepares the data.
"""

from __future__ import annotations

from amt_hydra.data.errors import DataCorruptError, DataError, DataMissingError, OfflineError
from amt_hydra.data.prepare import check_dataset, prepare, prepare_command
from amt_hydra.data.sources import DATASETS, ENV_DATA_MIRROR, ENV_DATA_ROOT, data_root, default_data_dir

__all__ = [
    "DATASETS",
    "ENV_DATA_MIRROR",
    "ENV_DATA_ROOT",
    "DataCorruptError",
    "DataError",
    "DataMissingError",
    "OfflineError",
    "check_dataset",
    "data_root",
    "default_data_dir",
    "prepare",
    "prepare_command",
]
