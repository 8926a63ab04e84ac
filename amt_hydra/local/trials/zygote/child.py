"""In the zygote's fork: become `python [--] script args` or `python -m module args`, run it, exit as Python would.

What a fresh interpreter would have differently is set here: its own process group (the client forwards the signals
sent to the toolkit's group, so each arrives once), death with the zygote (PR_SET_PDEATHSIG), default signal
handlers (what the client had ignored stays ignored, as across an exec; SIGINT raising KeyboardInterrupt,
SIGPIPE/SIGXFSZ ignored, as Python sets them), the client's stdin/stdout/stderr as new `sys.std*` streams
(buffering, encoding and errors as Python picks them, with PYTHONUNBUFFERED from the request), its environment (also
written over /proc/PID/environ, the job's marker first), working directory, `sys.argv`, `sys.orig_argv` and
`sys.path` (the script's real folder or the working directory first, then PYTHONPATH, then the interpreter's own
entries), and a fresh `__main__`. The exit follows Py_Finalize: non-daemon threads joined, atexit handlers run,
streams flushed; SystemExit's code (a non-integer printed, then 1), an uncaught exception through `sys.excepthook`
and 1, an uncaught KeyboardInterrupt as death by SIGINT. What stays from the zygote: the modules it imported
(`sys.modules`), `sys.flags`, the hash seed.
"""

from __future__ import annotations

import atexit
import builtins
import ctypes
import io
import os
import runpy
import signal
import sys
import threading
import traceback
import types
from collections.abc import Callable
from importlib.machinery import SourceFileLoader
from typing import NoReturn

from ..procenv import MARK, show_environ

PR_SET_PDEATHSIG = 1
PYTHON_IGNORES = (signal.SIGPIPE, signal.SIGXFSZ)


def become(request: dict, command: tuple[str, str, list[str]], fds: list[int], base_path: list[str],
           close_zygote: Callable[[], None]) -> NoReturn:
    """Never returns: the process exits with the entry point's status."""
    code, interrupted = 1, False
    try:
        enter(request, fds, close_zygote)
        code, interrupted = run(command, base_path)
    except BaseException:  # noqa: BLE001 - a failure to set up must not return into the zygote's loop
        traceback.print_exc()
    finally:
        finish(code, interrupted)


def enter(request: dict, fds: list[int], close_zygote: Callable[[], None]) -> None:
    zygote, mark = os.getppid(), os.environ.get(MARK)
    os.setpgid(0, 0)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != zygote:  # the zygote died before prctl
        os._exit(1)
    close_zygote()
    reset_signals(set(request.get("ignored", ())))
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(3, 65536)
    os.chdir(request["cwd"])
    env = request["env"]
    os.environ.clear()
    os.environ.update(env)
    try:
        show_environ(env, mark=mark)
    except (OSError, ValueError, IndexError):  # no /proc
        pass
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    sys.orig_argv = [sys.executable, *request["argv"]]
    open_stdio(unbuffered=bool(env.get("PYTHONUNBUFFERED")))


def reset_signals(ignored: set[int]) -> None:
    """Handlers as a fresh interpreter exec'd by the client has them: what the client had ignored stays
    ignored (exec keeps that), the rest default, then Python's own (SIGPIPE/SIGXFSZ ignored; SIGINT raises
    KeyboardInterrupt unless it was ignored)."""
    signal.set_wakeup_fd(-1)
    for sig in signal.valid_signals():
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(sig, signal.SIG_IGN if sig in PYTHON_IGNORES or sig in ignored else signal.SIG_DFL)
            except (OSError, ValueError, RuntimeError):
                pass
    if signal.SIGINT not in ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def open_stdio(unbuffered: bool) -> None:
    """New sys.stdin/stdout/stderr on fds 0-2, as Python's start-up makes them (create_stdio)."""
    encoding = getattr(sys.__stdout__, "encoding", None) or "utf-8"
    errors = getattr(sys.__stdout__, "errors", None) or "strict"
    sys.stdin = sys.__stdin__ = stdio(0, "stdin", False, encoding, errors, unbuffered)
    sys.stdout = sys.__stdout__ = stdio(1, "stdout", True, encoding, errors, unbuffered)
    sys.stderr = sys.__stderr__ = stdio(2, "stderr", True, encoding, "backslashreplace", unbuffered)


def stdio(fd: int, name: str, write: bool, encoding: str, errors: str, unbuffered: bool) -> io.TextIOWrapper:
    buffered = not (unbuffered and write)
    buf = open(fd, "wb" if write else "rb", -1 if buffered else 0, closefd=False)
    raw = buf.raw if buffered else buf
    raw.name = f"<{name}>"
    line = not unbuffered and (name == "stderr" or os.isatty(fd))
    stream = io.TextIOWrapper(buf, encoding, errors, newline="\n", line_buffering=line, write_through=unbuffered)
    stream.mode = "w" if write else "r"
    return stream


def run(command: tuple[str, str, list[str]], base_path: list[str]) -> tuple[int, bool]:
    """`(exit code, interrupted)` of the entry point."""
    kind, target, args = command
    first = [] if getattr(sys.flags, "safe_path", False) else [
        os.getcwd() if kind == "module" else os.path.dirname(os.path.realpath(target))]
    extra = os.environ.get("PYTHONPATH")
    entries = [os.path.abspath(p) for p in extra.split(os.pathsep)] if extra else []
    sys.path[:] = [*first, *dict.fromkeys([*entries, *base_path])]  # site.py drops repeated entries
    main = types.ModuleType("__main__")
    main.__dict__.update(__builtins__=builtins, __annotations__={})
    sys.modules["__main__"] = main
    try:
        if kind == "module":
            sys.argv = ["-m", *args]
            runpy._run_module_as_main(target, alter_argv=True)  # what `python -m` runs
        else:
            sys.argv = [target, *args]
            run_script(main, target)
    except SystemExit as e:
        return exit_code(e.code), False
    except BaseException as e:  # noqa: BLE001 - as the interpreter reports an uncaught exception
        e = e.with_traceback(own_frames_dropped(e.__traceback__))
        sys.excepthook(type(e), e, e.__traceback__)
        return 1, isinstance(e, KeyboardInterrupt)
    return 0, False


def run_script(main: types.ModuleType, target: str) -> None:
    path = os.path.abspath(target)
    main.__dict__.update(__file__=path, __cached__=None, __loader__=SourceFileLoader("__main__", path))
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec", dont_inherit=True)
    exec(code, main.__dict__)


def own_frames_dropped(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The traceback from the entry point's first frame on, as the interpreter prints it."""
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def exit_code(code: object) -> int:
    """SystemExit's code as the interpreter turns it into a status."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001
        pass
    return 1


def finish(code: int, interrupted: bool) -> NoReturn:
    """Py_Finalize's order: wait for non-daemon threads, atexit handlers, flush the streams; then exit."""
    try:
        threading._shutdown()  # type: ignore[attr-defined]
    except BaseException:  # noqa: BLE001
        pass
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - Python exits 120 when it cannot flush its streams
            code = code or 120
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code & 0xFF)
