"""A bare Hydra app composing the same config tree as amt-hydra, doing nothing with it: the baseline."""

import hydra
from omegaconf import DictConfig, OmegaConf

from amt_hydra.config import register_configs
from amt_hydra.config.resolvers import register_resolvers


@hydra.main(version_base="1.3", config_path="../../conf", config_name="config")
def task(cfg: DictConfig) -> None:
    OmegaConf.to_container(cfg, resolve=True)


if __name__ == "__main__":
    register_configs()
    register_resolvers()
    task()
