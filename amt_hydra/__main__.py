"""`python -m amt_hydra +experiment=mnist`: Hydra's CLI around `amt_hydra.app.run`.

The one boundary where user errors become a one-line message and a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path

import hydra
from omegaconf import DictConfig

from amt_hydra.config import register_configs
from amt_hydra.config.paths import config_path
from amt_hydra.config.resolvers import register_resolvers
from amt_hydra.errors import user_errors_exit


@hydra.main(version_base="1.3", config_path=config_path(), config_name="config")
def _task(cfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from amt_hydra import app

    hc = HydraConfig.get()
    suffix = str(hc.job.num) if hc.mode == RunMode.MULTIRUN else ""
    with user_errors_exit():
        app.run(cfg, Path(hc.runtime.output_dir), job_suffix=suffix)


def main() -> None:
    register_configs()
    register_resolvers()
    _task()


if __name__ == "__main__":
    main()
