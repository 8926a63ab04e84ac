"""A fork server started ahead by the launcher (trials/prestart.py): handed to an engine process, which adopts
it when its settings ask for the same server; ended when unused. Real servers, real toolkit jobs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amt_hydra.local.engine.worker import engine_env
from amt_hydra.local.settings import PRELOAD
from amt_hydra.local.trials.forkserver import available
from amt_hydra.local.trials.prestart import Prestarted, reap

from .test_forkserver import job

pytestmark = pytest.mark.skipif(not available(), reason="fork servers are Linux only")

# The engine process's side: the starter adopts the handed server (or not), runs one job, reports what ran it.
ENGINE = """
import json, os, sys, time
from pathlib import Path
from amt_hydra.local.trials.forkserver import HANDOFF, ToolkitStarter
from amt_hydra.local.trials.process import wait_any
folder, env, preload = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
starter = ToolkitStarter(None, fork_entry_point=True, preload=preload)
proc = starter.start(folder / "output.log", env, cwd=folder)
while (code := proc.poll()) is None:
    wait_any([proc], 0.5, time.sleep)
stderr = os.readlink(f"/proc/{starter.server.pid}/fd/2")
print(json.dumps({"server": starter.server.pid, "code": code, "left": HANDOFF in os.environ, "stderr": stderr}))
starter.server.close()
"""


def run_engine(server: Prestarted, folder: Path, env: dict[str, str], preload: list[str]) -> dict:
    handed, fds = server.handoff()
    with open(folder / "worker.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-c", ENGINE, str(folder), json.dumps(env), json.dumps(preload)],
                                env={**engine_env(), **handed}, pass_fds=fds, stdout=subprocess.PIPE, stderr=log,
                                text=True)
    server.release()  # as ApiContext.spawn does once the engine process has its copies
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, (folder / "worker.log").read_text()
    return json.loads(out)


def server_ends(pid: int, timeout: float = 30.0) -> bool:
    """Whether the server (a child of this process) exits within `timeout`; reaps it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            return True
        time.sleep(0.02)
    return False


def test_the_engine_adopts_the_server_started_ahead(tmp_path: Path) -> None:
    server = Prestarted(sys.executable, True, list(PRELOAD), engine_env())
    folder, env = job(tmp_path, "job-adopted", "ok")
    seen = run_engine(server, folder, env, list(PRELOAD))
    # never in a job's environment; the server's messages go to the engine's log, as its own server's would
    assert seen == {"server": server.pid, "code": 0, "left": False, "stderr": str(folder / "worker.log")}
    assert (folder / "opt_ml/output/success").exists()
    assert server_ends(server.pid)  # the engine closed it: EOF


def test_a_server_started_with_other_settings_is_ended_and_replaced(tmp_path: Path) -> None:
    """E.g. a resumed job, whose stored settings preload something else."""
    server = Prestarted(sys.executable, True, ["json"], engine_env())
    folder, env = job(tmp_path, "job-other", "ok")
    seen = run_engine(server, folder, env, list(PRELOAD))
    assert seen["server"] != server.pid and seen["code"] == 0
    assert server_ends(server.pid)


def test_a_server_that_died_before_the_handoff_is_replaced(tmp_path: Path) -> None:
    server = Prestarted(sys.executable, True, list(PRELOAD), engine_env())
    os.kill(server.pid, signal.SIGKILL)
    assert server_ends(server.pid)
    folder, env = job(tmp_path, "job-replaced", "ok")
    seen = run_engine(server, folder, env, list(PRELOAD))
    assert seen["server"] != server.pid and seen["code"] == 0  # forked by a server of its own, not plain


def test_an_unused_server_ends_when_released(tmp_path: Path) -> None:
    """An invalid request or a failed submit: nothing is left running."""
    server = Prestarted(sys.executable, True, list(PRELOAD), engine_env())
    assert os.getsid(server.pid) == server.pid != os.getsid(0)  # out of reach of the terminal's Ctrl-C
    assert os.readlink(f"/proc/{server.pid}/fd/2") == os.devnull  # nothing on the terminal
    server.release()
    assert server_ends(server.pid)
    reap()  # already reaped: nothing to do, no error
