"""`python -m amt_hydra +experiment=mnist` (or `amt-hydra ...`): Hydra's CLI around `amt_hydra.app.run`.

The one boundary where user errors become a one-line message and an exit code (README, "Exit codes").
`amt-hydra inspect NAME ...` is the inspection command (`amt_hydra.inspection`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig

from amt_hydra.config import register_configs
from amt_hydra.config.paths import config_path
from amt_hydra.config.resolvers import register_resolvers
from amt_hydra.errors import JobNotCompleted, user_errors_exit

# Jobs that ended Failed or Stopped; a multirun goes on with its other jobs, then the CLI exits 4.
_not_completed: list[JobNotCompleted] = []


@hydra.main(version_base="1.3", config_path=config_path(), config_name="config")
def _task(cfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from amt_hydra import app

    hc = HydraConfig.get()
    suffix = str(hc.job.num) if hc.mode == RunMode.MULTIRUN else ""
    with user_errors_exit():
        job = app.run(cfg, Path(hc.runtime.output_dir), job_suffix=suffix)
    try:
        if job is not None:
            app.check_completed(job)
    except JobNotCompleted as exc:
        _not_completed.append(exc)


def main() -> None:
    if sys.argv[1:2] == ["inspect"]:
        from amt_hydra.inspection import main as inspect_main

        sys.exit(inspect_main(sys.argv[2:]))
    register_configs()
    register_resolvers()
    _task()
    with user_errors_exit():
        if _not_completed:
            for exc in _not_completed[:-1]:
                print(f"error: {exc}", file=sys.stderr)
            raise _not_completed[-1]


if __name__ == "__main__":
    main()
