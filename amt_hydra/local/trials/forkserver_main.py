"""The fork server: a process that imports the training toolkit's dependencies once and forks each job.

Started by the engine (`forkserver.ForkServer`) as `python -u <this file>`, so it needs only the standard
library and the toolkit (it may run under `launcher.python`, which need not have amt_hydra installed).
Protocol, one line each way: the engine writes `{"id", "env", "cwd", "cpus", "log"}` as JSON on stdin (or
`{"stderr": PATH}`: where the server's own messages go from now on, sent by an engine adopting a server
started ahead, trials/prestart.py); the server answers `pid ID PID` (or `error ID MESSAGE`) once the job
runs, and `exit PID CODE` (Popen's returncode: negative for a signal) when it ended. Before reaping a job it
SIGKILLs what is left in its process group (the unreaped leader keeps the group id reserved), as the plain
runner does. The server exits at EOF and leaves its jobs running, like a dead engine leaves plain toolkit
processes; a resume then kills them.

A job is `sagemaker_training.cli.train.main()` in a forked child, in a new session, with the job's
environment, working directory, CPU affinity and log; it is the same toolkit code, minus one interpreter
start-up and the ~0.35 s of imports (boto3, paramiko, psutil) that every plain toolkit process pays.

With `--fork-entry-point` the server also imports the `--preload` modules (those importable) and writes the
zygote's client (zygote/client.py) behind a shebang of this interpreter; each job's toolkit process then forks
its zygote (zygote/server.py) before running, and its "python" (`sys.executable`) is the client, so the
toolkit's `python -- train.py ...` is a fork of this pre-imported interpreter. Args:
`[--preload mod,mod] [--fork-entry-point]`.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import traceback

if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # run as a script: this folder's modules must not shadow anything

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = "_amt_hydra_trials"  # this folder, imported under a name of its own (amt_hydra may be absent)
TOOLKIT = "sagemaker_training"
STOPS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# The toolkit's platform probes: no arguments, and every `Environment()` (three per job) runs them:
# `nvidia-smi --list-gpus` (the whole machine's count: it ignores CUDA_VISIBLE_DEVICES), `which smddprun`,
# `which smddpmprun`. Asked once per server, with the toolkit's own functions (see preload); ~7 ms a job.
PROBES = ("num_gpus", "validate_smddprun", "validate_smddpmprun")
ANSWERS: dict = {}  # probe -> its answer, set by preload
ZYGOTE = None  # (zygote.server module, its Template, the client file) when entry points are forked
WARM_UPS: list[str] = []  # preloaded modules whose warm-ups (zygote/warm.py) are still to run
IDLE_S = 0.02  # no request for this long: idle (the engine asks for a round of jobs back to back)


def sibling(name: str):
    """A module of this folder; its relative imports resolve within the folder."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(PACKAGE, os.path.join(HERE, "__init__.py"),
                                                      submodule_search_locations=[HERE])
        package = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{PACKAGE}.{name}")


procenv = sibling("procenv")


def preload(modules: list[str], fork_entry_point: bool) -> None:
    """Import the toolkit's dependencies; drop its own modules, which read SAGEMAKER_BASE_DIR at import.
    The platform `PROBES` are asked here, once. With `fork_entry_point`, also import `modules` (those
    importable) for the jobs' entry points."""
    import sagemaker_training.cli.train  # noqa: F401
    from sagemaker_training import environment

    global ZYGOTE
    ANSWERS.update({probe: getattr(environment, probe)() for probe in PROBES})
    for name in [m for m in sys.modules if m == TOOLKIT or m.startswith(TOOLKIT + ".")]:
        del sys.modules[name]
    if fork_entry_point:
        server = sibling("zygote.server")
        template = server.Template()  # before importing `modules`: what the interpreter started with
        if not [m for m in modules if importable(m)]:  # nothing to gain: entry points start fresh
            return
        client = write_client()
        if client is not None and server.single_threaded():
            ZYGOTE = (server, template, client)
            WARM_UPS.extend(modules)


def importable(module: str) -> bool:
    """Import `module`; False when this interpreter cannot (it is then not preloaded)."""
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001
        return False
    return True


def write_client() -> str | None:
    """The zygote's client behind a `#!<this python> -IS` line, in a private folder; None when the kernel
    cannot run this interpreter from a shebang (a space in its path, or a path too long)."""
    shebang = f"#!{sys.executable} -IS\n"
    if not sys.executable or " " in sys.executable or len(shebang) > 250:
        return None
    path = os.path.join(tempfile.mkdtemp(prefix="amt-hydra-zygote-"), "python")
    with open(os.path.join(HERE, "zygote", "client.py")) as source:
        text = shebang + source.read()
    with open(path, "w") as out:
        out.write(text)
    os.chmod(path, 0o700)
    return path


def clean_up() -> None:
    """Remove the client file, unless jobs still running may start it (the engine went away)."""
    if ZYGOTE is None:
        return
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        shutil.rmtree(os.path.dirname(ZYGOTE[2]), ignore_errors=True)


def serve(inp: int, out: int) -> None:
    """Read requests until EOF; report pids and exit statuses."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    for sig in STOPS:  # only EOF ends the server: a signal meant for the engine must not orphan its jobs
        signal.signal(sig, signal.SIG_IGN)
    buffer = b""
    while True:
        ready, _, _ = select.select([inp, wake_r], [], [], IDLE_S if WARM_UPS else None)
        if not ready:
            warm_up()
        if wake_r in ready:
            os.read(wake_r, 4096)
            reap(out)
        if inp in ready:
            chunk = os.read(inp, 65536)
            if not chunk:
                return
            *lines, buffer = (buffer + chunk).split(b"\n")
            for line in lines:
                request = json.loads(line)
                if "stderr" in request:  # adopted by an engine (forkserver.inherited): its log from now on
                    redirect_stderr(request["stderr"])
                else:
                    os.write(out, start(request).encode())


def redirect_stderr(path: str) -> None:
    try:
        log = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError:
        return
    os.dup2(log, 2)
    os.close(log)


def warm_up() -> None:
    """Run the preloaded modules' warm-ups (once, when idle: no job waits for them), and keep what they leave
    out of the collector, as the preload is (main)."""
    sibling("zygote.warm").run(WARM_UPS)
    WARM_UPS.clear()
    gc.freeze()


def start(request: dict) -> str:
    """Fork the job; answer once it has taken on the job's identity (environment, cores), not before."""
    ready_r, ready_w = os.pipe()
    try:
        pid = os.fork()
    except OSError as e:
        os.close(ready_r)
        os.close(ready_w)
        return f"error {request['id']} {e}\n"
    if pid == 0:
        os.close(ready_r)
        run_job(request, ready_w)  # never returns
    os.close(ready_w)
    os.read(ready_r, 1)  # b"" if it failed before: its exit status tells the rest
    os.close(ready_r)
    return f"pid {request['id']} {pid}\n"


def reap(out: int) -> None:
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None:
            return
        try:
            os.killpg(info.si_pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _, status = os.waitpid(info.si_pid, 0)
        os.write(out, f"exit {info.si_pid} {os.waitstatus_to_exitcode(status)}\n".encode())


def run_job(request: dict, ready: int) -> None:
    """In the forked child: become the job's toolkit process, run it, exit with its status."""
    code, zygote = 1, None
    try:
        enter(request, ready)
        if ZYGOTE is not None:
            server, template, client = ZYGOTE
            zygote = server.start(template, client)
        code = toolkit_main()
    except BaseException:  # noqa: BLE001 - the child must never return into the server's loop
        traceback.print_exc()
    finally:
        if zygote is not None:  # reaped here, so its CPU (and its entry points') counts as the job's
            os.kill(zygote, signal.SIGKILL)
            os.waitpid(zygote, 0)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def enter(request: dict, ready: int) -> None:
    """Session, descriptors, environment, directory and cores of the job, as the plain runner sets them."""
    os.setsid()
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for sig in STOPS:
        signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.closerange(3, ready)
    os.closerange(ready + 1, 65536)
    os.chdir(request["cwd"])
    env = request["env"]
    os.environ.clear()
    os.environ.update(env)
    try:
        procenv.show_environ(env)
    except (OSError, ValueError, IndexError):  # no /proc: the job runs, only `ps e` shows the server's block
        pass
    if request.get("cpus"):
        os.sched_setaffinity(0, request["cpus"])
    os.write(ready, b"!")
    os.close(ready)
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))
    sys.stdout = open(1, "w", buffering=1 if unbuffered else -1, closefd=False, errors="backslashreplace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="backslashreplace")
    sys.path[0:0] = [os.getcwd()]  # as `python -m` started in the job folder would have it
    sys.argv = ["train"]


def toolkit_main() -> int:
    from sagemaker_training import environment
    from sagemaker_training.cli import train

    for probe, answer in ANSWERS.items():  # asked once per server, not three times per job (see PROBES)
        setattr(environment, probe, lambda answer=answer: answer)

    try:
        train.main()
    except SystemExit as e:
        return sibling("zygote.child").exit_code(e.code)
    return 0


def main(argv: list[str]) -> None:
    """`[--preload mod,mod] [--fork-entry-point]`"""
    modules = argv[argv.index("--preload") + 1].split(",") if "--preload" in argv else []
    preload([m for m in modules if m], "--fork-entry-point" in argv)
    gc.freeze()  # what is imported now is never collected: no collection writes to (copies) the shared pages
    serve(sys.stdin.fileno(), sys.stdout.fileno())
    clean_up()


if __name__ == "__main__":
    main(sys.argv[1:])
