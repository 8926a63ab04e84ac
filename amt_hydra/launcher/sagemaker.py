"""Submit the request to SageMaker: stage code and local inputs in S3, then create the tuning job."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amt_hydra.constants import ENV_ROLE, SOURCE_TARBALL
from amt_hydra.errors import ConfigError, LaunchError
from amt_hydra.launcher.aws import (
    OneLineClient,
    client_config,
    error_code,
    launch_error,
    limit_retries,
    one_line,
    session,
    with_retries,
)
from amt_hydra.launcher.base import LaunchContext, Launcher
from amt_hydra.launcher.resubmit import echoed_differences, refusal

PLACEHOLDER = "<ACCOUNT-ID>"  # in the default bucket's name when the account was not looked up
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
CONSOLE = "https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/hyper-tuning-jobs/{name}"


@dataclass
class SageMakerLauncherConfig:
    """`launcher=sagemaker`, registered as the group option: the default, the schema and the launcher's arguments."""

    _target_: str = "amt_hydra.launcher.sagemaker.SageMakerLauncher"
    bucket: str | None = None  # S3 bucket for code and local inputs; null: the session's sagemaker-<region>-<account>
    prefix: str = "amt-hydra"  # key prefix under the bucket
    poll_s: float = 30.0  # seconds between status polls while waiting
    max_attempts: int = 5  # attempts per AWS call by botocore (adaptive mode: throttling, network errors)
    connect_timeout_s: float = 10.0  # seconds to open a connection to an AWS endpoint
    read_timeout_s: float = 30.0  # seconds to wait for an answer on an open connection
    retry_budget_s: float = 60.0  # seconds after which an AWS call stops retrying (plus the attempt in flight)

    def __post_init__(self) -> None:
        for key in ("poll_s", "connect_timeout_s", "read_timeout_s", "retry_budget_s"):
            value = getattr(self, key)
            if value is None or value <= 0:
                raise ConfigError(f"launcher.{key}", f"must be > 0, got {value}")
        if self.max_attempts is None or self.max_attempts < 1:
            raise ConfigError("launcher.max_attempts", f"must be >= 1, got {self.max_attempts}")
        if self.bucket and not BUCKET_NAME.fullmatch(self.bucket):
            raise ConfigError("launcher.bucket", f"{self.bucket!r} is not a valid S3 bucket name "
                              "(3-63 characters: lowercase letters, digits, '.' and '-')")


class SageMakerLauncher(Launcher):
    """Creates the tuning job with boto3 (`AWS_ENDPOINT_URL` and profiles work as in boto3)."""

    def __init__(self, config: SageMakerLauncherConfig | None = None, **options: Any) -> None:
        self.config = config or SageMakerLauncherConfig(**options)
        self.poll_s = float(self.config.poll_s)
        self.prefix = self.config.prefix.strip("/")
        self.bucket = self.config.bucket  # filled with the session's default bucket when null
        self._session: Any = None
        self._bucket_error: str | None = None  # why the default bucket could not be resolved

    # -- Launcher interface -------------------------------------------------------------------------
    def resolve_role(self) -> str:
        # Reached only when neither estimator.role nor the environment names one (amt_hydra.spec.build).
        raise LaunchError(f"estimator.role: no IAM role for SageMaker; set estimator.role or {ENV_ROLE}")

    def artifact_root(self, job_name: str) -> str:
        return f"s3://{self._bucket_name()}/{self.prefix}/{job_name}"

    def client(self) -> Any:
        """The SageMaker client the caller waits with: bounded like ours, its failures one line (OneLineClient)."""
        return OneLineClient(self._aws("sagemaker"))

    def submit(self, request: Mapping[str, Any], ctx: LaunchContext) -> str:
        """Create the job; attach when one of that name exists with the same request, else refuse (resubmit.py)."""
        name = request["HyperParameterTuningJobName"]
        if PLACEHOLDER in str(request):
            self._boto()  # raises the missing credentials/region message
            raise LaunchError(self._bucket_error or "launcher.bucket: the default bucket could not be resolved; "
                              "set launcher.bucket")
        sm = self._aws("sagemaker")
        if self._attach(sm, name, request):
            print(f"tuning job {name} already exists with this request; attaching to it (nothing uploaded)")
            return name
        self._stage(ctx.staging, name)
        try:
            self._retry(lambda: sm.create_hyper_parameter_tuning_job(**request))
        except Exception as exc:
            if error_code(exc) == "ResourceInUse" and self._attach(sm, name, request):  # a concurrent twin
                print(f"tuning job {name} already exists with this request; attaching to it")
                return name
            raise launch_error(exc, name, "creating") from None
        region = self._boto().region_name
        print(f"created tuning job {name}\n  {CONSOLE.format(region=region, name=name)}")
        return name

    # -- helpers ------------------------------------------------------------------------------------
    def _boto(self) -> Any:
        if self._session is None:
            self._session = session(self.region)
        return self._session

    def _aws(self, service: str) -> Any:
        """A client with the launcher's timeouts and attempts, its own retries bounded by retry_budget_s."""
        c = self.config
        config = client_config(c.max_attempts, c.connect_timeout_s, c.read_timeout_s)
        return limit_retries(self._boto().client(service, config=config), c.retry_budget_s)

    def _retry(self, call: Any) -> Any:
        return with_retries(call, budget_s=self.config.retry_budget_s)

    def dry_run_note(self) -> str | None:
        if self.bucket:
            return None
        return (f"dry run: the bucket {self._placeholder_bucket()} is a placeholder (a dry run does not ask STS for "
                "the account); set launcher.bucket=<bucket> for the exact request")

    def _placeholder_bucket(self) -> str:
        return f"sagemaker-{self.region or '<REGION>'}-{PLACEHOLDER}"

    def _bucket_name(self) -> str:
        """launcher.bucket, else the session's default `sagemaker-<region>-<account>` (STS, never in a dry run)."""
        if self.bucket:
            return self.bucket
        if self.dry_run:
            return self._placeholder_bucket()
        try:
            sess = self._boto()
            with one_line("sts:GetCallerIdentity", "(the default bucket's account)"):
                account = self._retry(lambda: self._aws("sts").get_caller_identity())["Account"]
        except LaunchError as exc:
            self._bucket_error = f"launcher.bucket: not set, and the default bucket is unknown: {exc}"
            return self._placeholder_bucket()  # submit() refuses it with _bucket_error
        self.bucket = f"sagemaker-{sess.region_name}-{account}"
        return self.bucket

    def _attach(self, sm: Any, name: str, request: Mapping[str, Any]) -> bool:
        """False when no job has this name; True when it has this request; else a LaunchError naming the diff."""
        try:
            described = self._retry(lambda: sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))
        except Exception as exc:
            if error_code(exc) in ("ResourceNotFound", "ValidationException"):
                return False
            raise launch_error(exc, name, "describing") from None
        diffs = echoed_differences(described, request)
        if diffs:
            raise LaunchError(refusal(name, diffs, "on SageMaker"))
        return True

    def _stage(self, staging: Mapping[str, Path], name: str) -> None:
        s3 = self._aws("s3")
        self._ensure_bucket(s3, name)
        for uri, local in staging.items():
            bucket, key = uri.removeprefix("s3://").split("/", 1)
            try:
                if uri.endswith(SOURCE_TARBALL):
                    _upload_source(s3, Path(local), bucket, key, self.config.retry_budget_s)
                else:
                    _upload_tree(s3, Path(local), bucket, key, self.config.retry_budget_s)
            except Exception as exc:
                raise launch_error(exc, name, f"uploading {local} to {uri} for") from None
            print(f"uploaded {local} -> {uri}")

    def _ensure_bucket(self, s3: Any, name: str) -> None:
        assert self.bucket is not None
        try:
            s3.head_bucket(Bucket=self.bucket)
            return
        except Exception as exc:
            if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise launch_error(exc, name, f"checking bucket {self.bucket} for") from None
        region = self._boto().region_name
        extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        try:
            s3.create_bucket(Bucket=self.bucket, **extra)
        except Exception as exc:
            raise launch_error(exc, name, f"creating bucket {self.bucket} for") from None


def _upload_source(s3: Any, source_dir: Path, bucket: str, key: str, budget_s: float) -> None:
    from amt_hydra.packing import package_source  # late: Hydra's plugin scan imports this module in every trial

    with tempfile.TemporaryDirectory() as tmp:
        tarball = Path(tmp) / SOURCE_TARBALL
        package_source(source_dir, tarball)
        with_retries(lambda: s3.upload_file(str(tarball), bucket, key), budget_s=budget_s)


def _upload_tree(s3: Any, local: Path, bucket: str, key: str, budget_s: float) -> None:
    files = [local] if local.is_file() else sorted(p for p in local.rglob("*") if p.is_file())
    for file in files:
        rel = file.name if file == local else file.relative_to(local).as_posix()
        target = f"{key.rstrip('/')}/{rel}"
        with_retries(lambda f=file, t=target: s3.upload_file(str(f), bucket, t), budget_s=budget_s)
