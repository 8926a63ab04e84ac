"""The scheduler loop of one tuning job: launch, watch, stop and finish training jobs.

It runs in the detached engine process (`amt_hydra.local.engine.worker`) and owns the job's folder in the
store while it holds the lock; the client only reads, plus asking for a stop. Each tick it looks at a
stop request and the tuning job's runtime, tails every running job's log (metrics, early stopping,
Hyperband, per-job MaxRuntime), finishes jobs that exited, and launches new ones while the parallel
limit, the budget and the instance capacity allow.

Metric scanning gets a time budget per tick (`SCAN_BUDGET_S`, shared by the running jobs) and bounded
log chunks, so stops and MaxRuntime are enforced on time whatever a job prints and whatever its regexes
cost. A job whose log is not read to its end when it exits settles on a later tick (the next tick comes
at once while scanning is behind).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from amt_hydra.local.engine import recovery
from amt_hydra.local.engine.capacity import CapacityTable
from amt_hydra.local.engine.completion import CompletionTracker, failed_without_success, no_success_reason
from amt_hydra.local.engine.early_stopping import early_stopping_rule
from amt_hydra.local.engine.warm_start import parent_trials
from amt_hydra.local.search.base import Suggestion
from amt_hydra.local.search.registry import make_search
from amt_hydra.local.settings import EngineSettings
from amt_hydra.local.setup.tuning_setup import parse_request
from amt_hydra.local.store import JobDir, JobStore
from amt_hydra.local.trials.executor import ExecutorFactory, ToolkitExecutor, TrialExecutor
from amt_hydra.local.trials.record import (
    STOP_EARLY,
    STOP_HYPERBAND,
    STOP_MAX_RUNTIME,
    STOP_TUNING_END,
    STOP_USER,
    TrialRecord,
)
from amt_hydra.local.trials.resources import count_cuda_devices, is_gpu_type
from amt_hydra.local.trials.trial import Trial

log = logging.getLogger(__name__)
SCAN_BUDGET_S = 0.2  # seconds of metric scanning per tick, shared by the running jobs


class Engine:
    """Runs one tuning job to its end; `clock` and `sleep` are injectable for tests, and `executor_factory`
    chooses what runs the training jobs (the toolkit on this machine by default)."""

    def __init__(
        self,
        store: JobStore,
        job: JobDir,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        executor_factory: ExecutorFactory = ToolkitExecutor,
    ) -> None:
        self.store, self.job, self.clock, self.sleep = store, job, clock, sleep
        self.executor_factory = executor_factory
        self.settings = EngineSettings.from_dict(job.settings())
        self.setup = parse_request(job.request)
        self.tuning = job.tuning()
        self.records = {r.name: r for r in job.trials()}
        self.running: dict[str, Trial] = {}
        self.queue: list[TrialRecord] = []
        self.pending: Suggestion | None = None
        self.ending: tuple[str, str | None] | None = None
        self.exhausted = False
        self.signalled = False
        self.behind = False  # some job's log was not read to its end in the last tick
        self.rule = early_stopping_rule(self.setup.early_stopping, self.setup.direction)

    # -- set-up ------------------------------------------------------------------------------------
    def _prepare(self, now: float) -> None:
        self.queue = recovery.recover(self.job, self.records, now)
        # The executor first: its fork server imports the toolkit in its own process while this one imports
        # the strategy's libraries (Optuna; torch for Bayesian) below.
        types = {c["InstanceType"] for d in self.setup.definitions for c in d.instance_configs}
        gpus = count_cuda_devices() if any(is_gpu_type(t) for t in types) else 0
        self.capacity = CapacityTable(types, self.setup.max_parallel, self.settings.capacity, gpus)
        self.executor: TrialExecutor = self.executor_factory(
            self.job, self.settings, self.setup.max_parallel, gpus, self.sleep
        )
        parents = parent_trials(self.store, self.setup)
        self.parent_count = len(parents)
        self.search = make_search(self.setup, int(self.tuning["seed"]))
        self.search.replay(sorted(self.records.values(), key=lambda r: r.index), parents)
        self.tracker = CompletionTracker.from_criteria(
            self.setup.direction, self.setup.completion, self.setup.max_jobs
        )
        for rec in sorted(self.records.values(), key=lambda r: r.end_time or 0):
            if rec.counts_budget and rec.finished:
                self.tracker.observe(
                    rec.final_objective if rec.objective_status == "Succeeded" else None, rec.end_time or now
                )
        self.run_start = now
        self.runtime_before = float(self.tuning.get("runtime_s", 0.0))
        self.tuning["engine_pid"] = os.getpid()
        self._saved_at, self._saved_status = float("-inf"), ""

    def run(self) -> None:
        now = self.clock()
        self._prepare(now)
        while True:
            now = self.clock()
            self._check_stop(now)
            self._check_runtime(now)
            self.behind = False
            for name in list(self.running):
                self._poll(self.running[name], now, SCAN_BUDGET_S / len(self.running))
            if self.ending is None:
                self._launch(now)
            if not self.running and (self.ending is not None or self._budget_left() <= 0 or self.exhausted):
                break
            self._save_tuning(now)
            waiting = [t for t in self.running.values() if t.exit_code is None]
            self.executor.wait(waiting, 0.0 if self.behind else self.settings.poll_interval_s)
        self._finish(now)

    # -- tuning-level decisions ----------------------------------------------------------------------
    def _check_stop(self, now: float) -> None:
        if self.ending is None and (self.signalled or self.job.stop_requested()):
            self.tuning["status"] = "Stopping"
            self._end("Stopped", None, STOP_USER, now)

    def _check_runtime(self, now: float) -> None:
        limit = self.setup.max_runtime_s
        if limit is not None and self.ending is None and self._runtime(now) >= limit:
            self._end("Completed", None, STOP_TUNING_END, now)

    def _runtime(self, now: float) -> float:
        return self.runtime_before + (now - self.run_start)

    def _end(self, status: str, reason: str | None, cause: str, now: float) -> None:
        """No more launches; running jobs are stopped; the tuning job ends once they have exited."""
        if self.ending is None:
            self.ending = (status, reason)
        self.pending = None
        for trial in self.running.values():
            self._stop(trial, cause, now)

    def _budget_left(self) -> int:
        used = sum(1 for r in self.records.values() if r.counts_budget)
        return self.setup.max_jobs - self.parent_count - used

    def _save_tuning(self, now: float, force: bool = False) -> None:
        """Persist the tuning state: at once when it changed, else about once a second (the runtime)."""
        update = {"runtime_s": self._runtime(now), "completion": self.tracker.details()}
        changed = (
            self.tuning.get("completion") != update["completion"]
            or self.tuning["status"] != self._saved_status
        )
        if force or changed or now - self._saved_at >= 1.0:
            self.tuning.update(update, last_modified=now)
            self.job.write_tuning(self.tuning)
            self._saved_at, self._saved_status = now, self.tuning["status"]

    def _finish(self, now: float) -> None:
        status, reason = self.ending or self._natural_end()
        self.tuning.update(status=status, end_time=now, failure_reason=reason)
        self._save_tuning(now, force=True)
        if status != "Stopped":
            self.job.clear_stop()
        log.info("tuning job %s ended %s %s", self.setup.name, status, reason or "")

    def _natural_end(self) -> tuple[str, str | None]:
        counted = [r for r in self.records.values() if r.counts_budget]
        if counted and not any(r.objective_status == "Succeeded" for r in counted):
            return "Failed", no_success_reason(len(counted))
        return "Completed", None

    # -- launching -------------------------------------------------------------------------------------
    def _launch(self, now: float) -> None:
        while self.ending is None and len(self.running) < self.setup.max_parallel and self._budget_left() > 0:
            suggestion = self.pending or self._next_suggestion()
            self.pending = None
            if suggestion is None:
                self.exhausted = True
                return
            configs = self.setup.definition(suggestion.definition).instance_configs
            instance = self.capacity.acquire(configs)
            if instance is None and not self.capacity.all_exhausted(configs):
                self.pending = suggestion  # wait for a slot of a type that has capacity
                return
            trial = Trial.create(self.setup, self.records, suggestion, instance or dict(configs[0]), now)
            rec = self.records[trial.name] = trial.record
            if instance is None:
                trial.fail_capacity(now)
                self._finished(rec, suggestion, now)
                continue
            self.executor.start(trial, self.setup.definition(rec.definition), now)
            self.running[rec.name] = trial
            self.job.write_trial(rec)
            log.info("started %s %s on %s", rec.name, rec.tuned, rec.instance["InstanceType"])

    def _next_suggestion(self) -> Suggestion | None:
        if self.queue:
            return self.search.requeue(self.queue.pop(0))
        return self.search.suggest()

    # -- running jobs ------------------------------------------------------------------------------------
    def _poll(self, trial: Trial, now: float, budget_s: float) -> None:
        if trial.exit_code is None:
            trial.exit_code = self.executor.poll(trial, now)
            trial.exit_time = now
        read_all = self._read_log(trial, now, time.monotonic() + budget_s)
        if trial.exit_code is None and trial.deadline is not None and now >= trial.deadline:
            self._stop(trial, STOP_MAX_RUNTIME, now)
        if trial.exit_code is not None and read_all:
            self._exited(trial, trial.exit_code, trial.exit_time)
        self.behind = self.behind or not read_all

    def _read_log(self, trial: Trial, now: float, deadline: float) -> bool:
        """Scan the job's new log lines until `deadline`; True when the log was read to its end."""
        final, arrived, read_all = trial.exit_code is not None, 0, False
        while time.monotonic() < deadline:
            lines: list[str] | None = []
            if not trial.scanner.pending:
                lines = self.executor.new_lines(trial, final)
                if lines is None:
                    read_all = True
                    break
            arrived += self._scan(trial, lines, now, deadline)
        if arrived:
            self.job.write_trial(trial.record)
        return read_all

    def _scan(self, trial: Trial, lines: list[str], now: float, deadline: float | None = None) -> int:
        """Record new metric values and apply Hyperband and early stopping; returns how many arrived."""
        rec = trial.record
        values = trial.scanner.scan(lines, now, deadline)
        warnings = trial.scanner.warnings(self.executor.capped_lines(trial))
        if warnings != rec.warnings:
            rec.warnings = warnings
            self.job.write_trial(rec)
            log.warning("%s: %s", rec.name, warnings[-1])
        for value in values:
            if self.setup.max_resource is not None and len(rec.objective) >= self.setup.max_resource:
                self._stop(trial, STOP_HYPERBAND, now)  # past MaxResource: Hyperband stops it (§2.1)
                continue
            rec.objective.append([value, now])
            if trial.stop_cause is not None:
                continue
            previous = [[v for v, _ in r.objective] for r in self.records.values() if r.index < rec.index]
            if self.search.report(trial.suggestion, len(rec.objective), value):
                self._stop(trial, STOP_HYPERBAND, now)
            elif self.rule.should_stop([v for v, _ in rec.objective], previous):
                self._stop(trial, STOP_EARLY, now)
        rec.final_metrics = {k: [v, t] for k, (v, t) in trial.scanner.latest.items()}
        return len(values)

    def _stop(self, trial: Trial, cause: str, now: float) -> None:
        if trial.exit_code is not None:  # it has exited; only its log is still being read
            return
        if trial.mark_stopping(cause, now):
            self.executor.stop(trial, now)
            self.job.write_trial(trial.record)
            log.info("stopping %s: %s", trial.name, cause)

    def _exited(self, trial: Trial, code: int, now: float) -> None:
        rec = trial.record
        del self.running[rec.name]
        self.capacity.release(rec.instance["InstanceType"])
        trial.settle(code, now, lambda c: self.executor.failure_reason(trial, c))
        log.info("%s %s objective=%s", rec.name, rec.status, rec.final_objective)
        self._finished(rec, trial.suggestion, now)

    def _finished(self, rec: TrialRecord, suggestion: Suggestion, now: float) -> None:
        rec.rung_attrs = self.search.tell(suggestion, rec)
        self.job.write_trial(rec)
        if self.ending is not None:
            return
        value = rec.final_objective if rec.objective_status == "Succeeded" else None
        criterion = self.tracker.observe(value, now)
        if criterion is not None:
            log.info("completion criterion %s met", criterion)
            self._end("Completed", None, STOP_TUNING_END, now)
        attempts = failed_without_success(self.records.values())
        if attempts is not None:
            self._end("Failed", no_success_reason(attempts), STOP_TUNING_END, now)
