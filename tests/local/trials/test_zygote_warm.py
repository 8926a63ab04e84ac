"""Warm-ups of preloaded modules (zygote/warm.py): they leave caches behind and nothing else, so a Hydra app
forked after one runs exactly as in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
APP = REPO / "examples" / "quadratic_app" / "my_app.py"

STATE = """
import json, sys
import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.singleton import Singleton
from omegaconf import OmegaConf
from omegaconf.basecontainer import BaseContainer

def state():
    plugins = sorted(m for m in sys.modules if m.startswith("hydra_plugins"))
    as_data = lambda node: OmegaConf.to_container(node.node)
    repo = json.dumps(ConfigStore.instance().repo, default=as_data, sort_keys=True)
    return [sorted(c.__name__ for c in Singleton._instances), sorted(BaseContainer._resolvers), plugins, repo]

from hydra.grammar.gen.OverrideParser import OverrideParser
from amt_hydra.local.trials.zygote import warm

def cached():
    return sum(len(dfa._states) for dfa in OverrideParser.decisionsToDFA)

before, cold = state(), cached()
warm.hydra_app()
print(json.dumps([before == state(), cold == 0 < cached()]))
"""

FORKED = """
import os, runpy, sys
from amt_hydra.local.trials.zygote import warm
import hydra
warm.run(["hydra"])
pid = os.fork()
if pid == 0:
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(sys.argv[0])
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    finally:
        sys.stdout.flush()
        os._exit(0)
os.waitpid(pid, 0)
"""


def test_the_hydra_warm_up_leaves_no_state_behind() -> None:
    """Singletons (Plugins, GlobalHydra, JobRuntime...), the ConfigStore, OmegaConf's resolvers and imported plugins
    are as before (each job still scans its plugins and registers its configs); the override parser's cache is
    filled."""
    out = subprocess.run([sys.executable, "-c", STATE], capture_output=True, text=True, check=True, cwd=REPO)
    assert json.loads(out.stdout) == [True, True], out.stderr  # the same state, the parser's cache filled


def test_a_hydra_app_forked_after_the_warm_up_writes_what_a_fresh_one_writes(tmp_path: Path) -> None:
    outputs = {}
    for way, command in (("fresh", [sys.executable]), ("forked", [sys.executable, "-c", FORKED])):
        run_dir = tmp_path / way
        overrides = ["optimizer.lr=0.001", "model.depth=3", "+extra=x", f"hydra.run.dir={run_dir}"]
        proc = subprocess.run([*command, str(APP), *overrides], capture_output=True, text=True, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        files = {name: (run_dir / ".hydra" / name).read_text().replace(str(run_dir), "RUN_DIR")
                 for name in ("config.yaml", "overrides.yaml", "hydra.yaml")}
        outputs[way] = (proc.stdout, proc.stderr, files, sorted(p.name for p in run_dir.iterdir()))
    assert outputs["forked"] == outputs["fresh"]
    assert "loss=" in outputs["fresh"][0] and json.dumps(outputs["fresh"][2]["overrides.yaml"]).count("extra") == 1
