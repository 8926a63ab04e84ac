"""Picking a tuning job up again after its engine died (kill -9, crash) or after a user stop.

Training jobs that were running when the engine died are closed first: every process they left behind
is killed (recognised by TRAINING_JOB_NAME in its environment, so a reused pid is never hit, and
processes that left the job's process group are found too: trials/descendants.py),
then the job is marked Failed with an InternalServerError reason (RetryableError), or Stopped when it
was already being stopped. Jobs interrupted this way or by the tuning job's own stop ("interrupted")
give their budget slot back and their configuration runs again first, as the same draw, so no finished
job is lost or repeated and the seeded sequence of suggestions continues where it was.
"""

from __future__ import annotations

import signal
from collections.abc import Iterable
from typing import TYPE_CHECKING

from amt_hydra.local.store import DamagedStoreError, JobDir
from amt_hydra.local.trials.descendants import owns, signal_marked
from amt_hydra.local.trials.process import kill_group
from amt_hydra.local.trials.record import STOP_USER, TrialRecord

if TYPE_CHECKING:
    from amt_hydra.local.trials.executor import TrialExecutor
    from amt_hydra.local.trials.trial import Trial

INTERRUPTED_REASON = (
    "InternalServerError: the local engine process ended while this training job was running; its "
    "configuration runs again when the tuning job resumes."
)


def close_unfinished(
    job: JobDir, records: Iterable[TrialRecord], now: float, cause: str | None = None
) -> None:
    """Close the training jobs a dead engine left running; with `cause`, as Stopped for that cause."""
    for rec in records:
        if not rec.finished:
            if cause is not None and rec.stop_cause is None:
                rec.stop_cause = cause
            _close(rec, now)
            job.write_trial(rec)


def recover(job: JobDir, records: dict[str, TrialRecord], now: float) -> list[TrialRecord]:
    """Close what a dead engine left running; return the interrupted jobs to run again, in launch order."""
    close_unfinished(job, records.values(), now)
    queue = []
    for rec in sorted(records.values(), key=lambda r: r.index):
        if rec.stop_cause == STOP_USER and not rec.requeued:
            rec.requeued, rec.counts_budget = True, False
            job.write_trial(rec)
            queue.append(rec)
    return queue


def _close(rec: TrialRecord, now: float) -> None:
    for pid in (rec.pid, *rec.host_pids):  # every host of the job
        if pid is not None and owns(pid, rec.name):
            kill_group(pid, signal.SIGKILL)
    signal_marked(rec.name, signal.SIGKILL)
    rec.end_time = now
    if rec.stop_cause is not None:
        rec.status = "Stopped"
        rec.set_secondary("Stopped", now)
        return
    rec.status, rec.stop_cause = "Failed", STOP_USER
    rec.failure_reason, rec.failure_kind = INTERRUPTED_REASON, "RetryableError"
    rec.set_secondary("Failed", now, INTERRUPTED_REASON)


def abort(
    job: JobDir, executor: TrialExecutor | None, running: Iterable[Trial], reason: str, now: float
) -> None:
    """After an engine error: kill the running jobs, fail them and the tuning job with `reason`."""
    for trial in running:
        if executor is not None:
            executor.kill(trial)
        trial.abort(reason, now)
        job.write_trial(trial.record)
    try:
        tuning = job.tuning()
    except DamagedStoreError:  # the error being handled may be this very damage: report it, change nothing
        return
    tuning.update(status="Failed", end_time=now, failure_reason=reason[:1024], last_modified=now)
    job.write_tuning(tuning)
