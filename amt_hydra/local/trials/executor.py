"""The seam between the engine and whatever runs training jobs: `TrialExecutor`, and `ToolkitExecutor`,
which runs each job as a local `sagemaker_training` toolkit process.

The engine decides (what to launch, when to stop, what a result means); an executor only starts,
watches and stops jobs. Another backend (a container, a cluster) is one more subclass.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace

from amt_hydra.local.arns import training_job_arn
from amt_hydra.local.settings import EngineSettings
from amt_hydra.local.setup.tuning_setup import Definition
from amt_hydra.local.store import JobDir
from amt_hydra.local.trials.artifacts import output_folder, pack
from amt_hydra.local.trials.failure import failure_reason
from amt_hydra.local.trials.forkserver import ToolkitStarter
from amt_hydra.local.trials.hosts import HostGroup, host_folder, host_names, rendezvous_env, split_cores
from amt_hydra.local.trials.layout import JobSpec, channels, environment, hyperparameters, prepare
from amt_hydra.local.trials.process import wait_any
from amt_hydra.local.trials.resources import CpuSlots, is_gpu_type
from amt_hydra.local.trials.trial import Trial

log = logging.getLogger(__name__)


class TrialExecutor(ABC):
    """Starts, watches and stops the training jobs of one tuning job.

    The engine builds one per run through an `ExecutorFactory`: `(job, settings, parallel, gpus, sleep)`,
    where `parallel` is MaxParallelTrainingJobs and `gpus` the CUDA devices seen here.
    """

    @abstractmethod
    def start(self, trial: Trial, definition: Definition, now: float) -> None:
        """Start the job (it is `InProgress`/`Training` afterwards: `trial.started` was called)."""

    @abstractmethod
    def new_lines(self, trial: Trial, final: bool = False) -> list[str] | None:
        """Log lines from a bounded piece of what was written since the last call (with the unterminated
        rest when `final`); None when nothing new was written. Memory stays bounded whatever a job prints."""

    @abstractmethod
    def poll(self, trial: Trial, now: float) -> int | None:
        """The exit status once the job has ended (its resources are then free), else None."""

    @abstractmethod
    def stop(self, trial: Trial, now: float) -> None:
        """Ask the job to end (SIGTERM on SageMaker); force it after the grace period."""

    @abstractmethod
    def kill(self, trial: Trial) -> None:
        """End the job at once and reap it (after an engine error)."""

    @abstractmethod
    def failure_reason(self, trial: Trial, code: int) -> str:
        """FailureReason for a job that exited with non-zero `code`."""

    @abstractmethod
    def wait(self, trials: list[Trial], timeout: float) -> None:
        """Sleep up to `timeout`, waking early when one of `trials` ends."""

    def capped_lines(self, trial: Trial) -> int:
        """How many of the job's log lines were cut to the scan cap (0 for a backend without one)."""
        return 0


ExecutorFactory = Callable[[JobDir, EngineSettings, int, int, Callable[[float], None]], TrialExecutor]


class ToolkitExecutor(TrialExecutor):
    """Each job is `python -m sagemaker_training.cli.train` in its own opt_ml folder and session,
    pinned to its block of cores (and a GPU for GPU instance types)."""

    def __init__(
        self,
        job: JobDir,
        settings: EngineSettings,
        parallel: int,
        gpus: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.job, self.settings, self.sleep = job, settings, sleep
        self.slots = CpuSlots(settings.cpus(), parallel, gpus)
        self.starter = ToolkitStarter(settings.python, settings.fork_server, settings.fork_entry_point,
                                      settings.preload)

    def start(self, trial: Trial, definition: Definition, now: float) -> None:
        rec = trial.record
        slot = trial.slot = self.slots.take()
        hosts = host_names(int(rec.instance.get("InstanceCount") or 1))
        job = JobSpec(
            name=rec.name,
            arn=training_job_arn(rec.name),
            hyperparameters=hyperparameters(definition, rec.tuned),
            instance=rec.instance,
            channels=channels(definition),
            environment=dict(definition.raw.get("Environment") or {}),
            local_copies=self.settings.local_copies,
            cpus=self.slots.cores(slot),
            gpu=self.slots.gpu(slot) if is_gpu_type(rec.instance["InstanceType"]) else None,
            extra_env=rendezvous_env(hosts),
            hosts=hosts,
        )
        folder = self.job.trial_dir(rec.name)
        s3_output = definition.raw["OutputDataConfig"]["S3OutputPath"]
        trial.output_dir = output_folder(s3_output, rec.name, self.settings.local_copies, folder)
        group = trial.process = HostGroup([])
        for index, cores in enumerate(split_cores(job.cpus, len(hosts))):
            spec = replace(job, current_host=hosts[index], cpus=cores, gpu=self._host_gpu(job.gpu, index))
            where = host_folder(folder, index)
            prepare(where / "opt_ml", spec)
            env = environment(where / "opt_ml", spec)
            marker = rec.name if index == 0 else None  # the first host's exit or stop ends them all
            group.processes.append(self.starter.start(where / "output.log", env, cwd=where, cpus=cores,
                                                      job_name=marker))
        rec.host_pids = group.pids[1:]
        trial.started(group.pid, now)

    def _host_gpu(self, first: int | None, index: int) -> int | None:
        """Host i of a GPU job gets the device after host i-1's (round robin over this machine's)."""
        return None if first is None else (first + index) % max(1, self.slots.gpus)

    def new_lines(self, trial: Trial, final: bool = False) -> list[str] | None:
        return trial.process.new_lines(final=final)

    def capped_lines(self, trial: Trial) -> int:
        return trial.process.tail.capped_lines

    def poll(self, trial: Trial, now: float) -> int | None:
        trial.process.enforce(now)
        code = trial.process.poll()
        if code is None:
            return None
        if trial.slot is not None:
            self.slots.give_back(trial.slot)
            trial.slot = None
        self._pack(trial, code, now)
        return code

    def _pack(self, trial: Trial, code: int, now: float) -> None:
        """Archive the first host's model (unless the job failed) and output data, as SageMaker uploads."""
        with_model = code == 0 or trial.stop_cause is not None
        if with_model:
            trial.record.set_secondary("Uploading", now, "Uploading generated training model")
        opt_ml = self.job.trial_dir(trial.name) / "opt_ml"
        try:
            trial.record.artifacts = pack(opt_ml, trial.output_dir, with_model)
        except OSError as exc:  # e.g. an unwritable local copy: the job's own result still stands
            log.warning("%s: artifacts not written: %s", trial.name, exc)

    def stop(self, trial: Trial, now: float) -> None:
        trial.process.terminate(now, self.settings.stop_grace_s)

    def kill(self, trial: Trial) -> None:
        if trial.exit_code is None:  # an exited job was reaped: its pids may belong to other processes now
            trial.process.kill()

    def failure_reason(self, trial: Trial, code: int) -> str:
        """From the first host, or from the host whose failure ended the job."""
        folder = host_folder(self.job.trial_dir(trial.name), trial.process.failed_host)
        return failure_reason(folder / "opt_ml", folder / "output.log", code)

    def wait(self, trials: list[Trial], timeout: float) -> None:
        wait_any([p for t in trials for p in t.process.live()], timeout, self.sleep)
