"""run_shared: the jobs' results in order, half of them from a forked child; any failure is the parent's own."""

from __future__ import annotations

import os
import threading

import pytest

from amt_hydra.results import fork


def _pid_job(i: int):
    return lambda: (i, os.getpid())


needs_fork = pytest.mark.skipif(not fork.can_fork(), reason="needs Linux, one thread and two cores")


@needs_fork
def test_results_in_order_and_shared_with_a_child() -> None:
    results = fork.run_shared([_pid_job(i) for i in range(5)], [1, 3, 1, 1, 2])
    assert [i for i, _ in results] == list(range(5))
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2  # the child is gone, its pid was another


def test_split_balances_by_weight() -> None:
    mine, theirs = fork._split([1.0, 1.0, 0.7, 1.0, 1.0, 1.8])
    assert sorted(mine + theirs) == list(range(6))
    loads = [sum([1.0, 1.0, 0.7, 1.0, 1.0, 1.8][i] for i in side) for side in (mine, theirs)]
    assert abs(loads[0] - loads[1]) <= 1.0


@needs_fork
def test_a_job_failing_in_the_child_fails_in_the_parent() -> None:
    def boom() -> None:
        raise ValueError("bad chart")

    with pytest.raises(ValueError, match="bad chart"):
        fork.run_shared([_pid_job(0), boom], [1, 1])


@needs_fork
def test_an_unpicklable_result_is_computed_here() -> None:
    results = fork.run_shared([lambda: threading.Lock(), lambda: threading.Lock()])
    assert all(type(r) is type(threading.Lock()) for r in results)


def test_with_another_thread_everything_runs_here() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not fork.can_fork()
        assert {pid for _, pid in fork.run_shared([_pid_job(i) for i in range(4)])} == {os.getpid()}
    finally:
        stop.set()
        other.join()
