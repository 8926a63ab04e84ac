"""The zygote's client, server and child against the real interpreter: each command runs once through the
client (forked from a zygote with hydra imported) and once as `python ...`, and what the entry point sees and
how it ends must match. The stand-in for the toolkit is a single-threaded process that starts the zygote as
the fork server does and then runs the client as its child, as the toolkit runs "python"."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from amt_hydra.local.trials import forkserver

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the zygote is Linux only")

TOOLKIT = textwrap.dedent("""
    import json, os, runpy, shutil, subprocess, sys
    main, command, cwd, env = json.loads(sys.argv[1])
    python = sys.executable  # the zygote's start points sys.executable at the client
    del sys.path[0]  # `-c`'s entry, as the fork server drops its folder's
    fork_server = runpy.run_path(main, run_name="fork_server_module")
    server = fork_server["sibling"]("zygote.server")
    template = server.Template()
    import hydra  # noqa: F401 - preloaded, as the fork server's `preload` does
    client = fork_server["write_client"]()
    if command[0] == "--kill-zygote-first":
        command = ["--client", *command[1:]]
        server.start(template, client)
        os.kill(int(subprocess.check_output(["pgrep", "-P", str(os.getpid())])), 9)
        os.wait()
    else:
        server.start(template, client)
    if command[0] == "--after-pip":
        command = ["--client", *command[1:]]
        subprocess.run([client, "-m", "pip", "--version"], check=True, capture_output=True)
    proc = subprocess.run([python if command[0] == "--real" else client, *command[1:]], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    shutil.rmtree(os.path.dirname(client))
    print(json.dumps([proc.returncode, proc.stdout, proc.stderr]))
""")

PROBE = textwrap.dedent("""
    import json, os, signal, sys, __main__
    def stream(s):
        return [s.name, s.mode, s.encoding, s.errors, s.line_buffering, s.write_through, type(s.buffer).__name__]
    seen = {
        "argv": sys.argv, "path": sys.path, "name": __name__, "file": __main__.__dict__.get("__file__"),
        "main": sorted(vars(__main__)), "loader": type(__main__.__loader__).__name__, "cwd": os.getcwd(),
        "env": dict(os.environ), "executable": sys.executable, "orig_argv": sys.orig_argv[1:],
        "stdin": sys.stdin.read(), "stdio": [stream(sys.stdin), stream(sys.stdout), stream(sys.stderr)],
        "handlers": [str(signal.getsignal(s)) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE,
                                                        signal.SIGCHLD, signal.SIGHUP, signal.SIGXFSZ)],
        "mask": sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])), "bytecode": sys.dont_write_bytecode,
        "fds": sorted(int(f) for f in os.listdir("/proc/self/fd")),
    }
    print(json.dumps(seen))
    print("hydra preloaded:", "hydra" in sys.modules, file=sys.stderr)
""")

ENDINGS = {
    "ok": "print('fine')",
    "code3": "import sys; print('bye'); sys.exit(3)",
    "message": "import sys; sys.exit('a message')",
    "raise": "def f():\n    raise ValueError('boom')\nf()",
    "syntax": "x = (",
    "signal": "import os, signal; os.kill(os.getpid(), signal.SIGTERM)",
    "interrupt": "raise KeyboardInterrupt",
    "atexit": "import atexit, sys; atexit.register(lambda: print('at exit')); sys.stdout.write('buffered')",
    "spawn": "import multiprocessing as mp\nif __name__ == '__main__':\n    spawn = mp.get_context('spawn')\n"
             "    with spawn.Pool(1) as pool:\n        print(pool.map(abs, [-3]), spawn.get_preparation_data('x'))",
    "thread": "import threading, time; threading.Thread(target=lambda: (time.sleep(0.3), print('joined'))).start()",
}


def run(tmp_path: Path, command: list[str], env: dict[str, str] | None = None,
        ignoring: tuple[int, ...] = ()) -> tuple[int, str, str]:
    """`command` (`--real`/`--client`, then python's arguments) from the toolkit stand-in, in tmp_path/code,
    started with the signals `ignoring` ignored (as under nohup), which it and what it execs inherit."""
    env = {**os.environ, "TRAINING_JOB_NAME": "job-zygote", **(env or {})}
    request = json.dumps([str(forkserver.MAIN), command, str(tmp_path / "code"), env])

    def ignore() -> None:
        for sig in ignoring:
            signal.signal(sig, signal.SIG_IGN)

    out = subprocess.run([sys.executable, "-c", TOOLKIT, request], capture_output=True, text=True, timeout=120,
                         preexec_fn=ignore)
    assert out.returncode == 0, out.stderr
    code, stdout, stderr = json.loads(out.stdout.splitlines()[-1])
    return code, stdout, stderr


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    (folder / "pkg").mkdir(parents=True)
    (folder / "probe.py").write_text(PROBE)
    (folder / "pkg" / "__init__.py").write_text("")
    (folder / "pkg" / "__main__.py").write_text(PROBE)
    for name, body in ENDINGS.items():
        (folder / f"end_{name}.py").write_text(body + "\n")
    return folder


@pytest.mark.parametrize("command", [["--", "probe.py", "--lr", "0.1"], ["probe.py", "x"], ["-m", "pkg", "--a", "b"]])
def test_the_entry_point_sees_what_a_fresh_interpreter_shows(tmp_path: Path, code: Path, command) -> None:
    env = {"PYTHONPATH": f"rel:{tmp_path}::", "PYTHONUNBUFFERED": "1", "MY_VAR": "x"}
    real_code, real_out, real_err = run(tmp_path, ["--real", *command], env)
    code_, out, err = run(tmp_path, ["--client", *command], env)
    assert (real_code, code_) == (0, 0), (real_err, err)
    assert "hydra preloaded: True" in err and "hydra preloaded: False" in real_err  # it was forked
    assert json.loads(out) == json.loads(real_out)


@pytest.mark.parametrize("ignoring", [(signal.SIGHUP,), (signal.SIGINT, signal.SIGTERM)])
def test_signals_a_parent_ignored_stay_ignored_as_across_an_exec(tmp_path: Path, code: Path, ignoring) -> None:
    (_, real_out, _), (_, out, err) = (run(tmp_path, [way, "probe.py"], ignoring=ignoring)
                                       for way in ("--real", "--client"))
    real, forked = json.loads(real_out), json.loads(out)
    assert "hydra preloaded: True" in err and forked["handlers"] == real["handlers"]
    assert real["handlers"][[signal.SIGTERM, signal.SIGINT, signal.SIGPIPE, signal.SIGCHLD, signal.SIGHUP,
                                  signal.SIGXFSZ].index(ignoring[0])] == str(signal.SIG_IGN)  # it was inherited


def test_buffered_streams_as_python_makes_them(tmp_path: Path, code: Path) -> None:
    env = {"PYTHONUNBUFFERED": ""}
    assert json.loads(run(tmp_path, ["--client", "probe.py"], env)[1]) == json.loads(
        run(tmp_path, ["--real", "probe.py"], env)[1])


@pytest.mark.parametrize("ending", ENDINGS)
def test_the_entry_point_ends_as_a_fresh_interpreter_would(tmp_path: Path, code: Path, ending: str) -> None:
    real = run(tmp_path, ["--real", "--", f"end_{ending}.py"])
    forked = run(tmp_path, ["--client", "--", f"end_{ending}.py"])
    assert forked == real


def test_a_command_it_does_not_serve_runs_on_the_real_interpreter(tmp_path: Path, code: Path) -> None:
    """`-c`, or a missing script: the real interpreter's own behaviour and messages."""
    assert run(tmp_path, ["--client", "-c", "import sys; print('hydra' in sys.modules)"])[:2] == (0, "False\n")
    assert run(tmp_path, ["--client", "missing.py"])[0] == 2
    missing = ["-m", "no_such_module"]
    assert run(tmp_path, ["--client", *missing])[0] == run(tmp_path, ["--real", *missing])[0] == 1


def test_after_pip_the_zygote_serves_no_more(tmp_path: Path, code: Path) -> None:
    """`python -m pip install ...` (the toolkit's requirements.txt) may change what the zygote has imported."""
    code_, _, err = run(tmp_path, ["--after-pip", "probe.py"])
    assert code_ == 0 and "hydra preloaded: False" in err


def test_a_different_interpreter_setup_falls_back(tmp_path: Path, code: Path) -> None:
    """A start-up variable the zygote was not started with (here PYTHONHASHSEED) needs a fresh interpreter."""
    code_, _, err = run(tmp_path, ["--client", "probe.py"], {"PYTHONHASHSEED": "7"})
    assert code_ == 0 and "hydra preloaded: False" in err


def test_a_dead_zygote_means_the_real_interpreter(tmp_path: Path, code: Path) -> None:
    code_, out, err = run(tmp_path, ["--kill-zygote-first", "probe.py"])
    assert code_ == 0 and "hydra preloaded: False" in err and json.loads(out)["executable"] == sys.executable


def test_signals_to_the_client_reach_the_entry_point(tmp_path: Path, code: Path) -> None:
    """SIGTERM to the client is forwarded; the entry point's handler runs, and its exit code comes back."""
    (code / "handler.py").write_text(textwrap.dedent("""
        import os, signal, sys, time
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(42))
        os.kill(int(open(os.environ["CLIENT_PID_FILE"]).read()), signal.SIGTERM)  # to the client, not here
        time.sleep(30)
    """))
    wrapper = code / "client_pid.sh"
    wrapper.write_text('echo $$ > "$CLIENT_PID_FILE"; exec "$@"\n')
    pid_file = tmp_path / "client.pid"
    # the client writes its pid through a shell that execs it, so the shell's pid is the client's
    env = {"CLIENT_PID_FILE": str(pid_file)}
    request = TOOLKIT.replace("[python if command[0] == \"--real\" else client, *command[1:]]",
                              "['/bin/sh', 'client_pid.sh', client, *command[1:]]")
    out = subprocess.run([sys.executable, "-c", request, json.dumps(
        [str(forkserver.MAIN), ["--client", "handler.py"], str(code), {**os.environ, **env}])],
        capture_output=True, text=True, timeout=120)
    returncode = json.loads(out.stdout.splitlines()[-1])[0]
    assert returncode == 42, out


def test_the_child_dies_with_the_zygote_and_stays_in_the_jobs_session(tmp_path: Path, code: Path) -> None:
    (code / "family.py").write_text(textwrap.dedent("""
        import os
        print(os.getpgid(0) == os.getpid(), os.getsid(0) == os.getsid(os.getppid()))
    """))
    assert run(tmp_path, ["--client", "family.py"])[:2] == (0, "True True\n")


def test_the_marker_is_in_the_entry_points_proc_environ(tmp_path: Path, code: Path) -> None:
    (code / "marker.py").write_text(
        "print(b'TRAINING_JOB_NAME=job-zygote' in open('/proc/self/environ', 'rb').read().split(b'\\0'))\n")
    assert run(tmp_path, ["--client", "marker.py"])[:2] == (0, "True\n")


def test_signal_numbers_survive_the_client(tmp_path: Path, code: Path) -> None:
    assert run(tmp_path, ["--client", "end_signal.py"])[0] == -signal.SIGTERM
