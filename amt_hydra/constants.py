"""API field names, limits, reserved hyperparameters and environment variable names, in one place."""

from __future__ import annotations

# Reserved hyperparameters (sagemaker-training toolkit, SDK v2 Framework._prepare_for_training).
OBJECTIVE_METRIC_HP = "_tuning_objective_metric"
PROGRAM_HP = "sagemaker_program"
SUBMIT_DIR_HP = "sagemaker_submit_directory"
CONTAINER_LOG_LEVEL_HP = "sagemaker_container_log_level"
REGION_HP = "sagemaker_region"
JOB_NAME_HP = "sagemaker_job_name"
ESTIMATOR_MODULE_HP = "sagemaker_estimator_module"  # set by the SDK's HyperparameterTuner for attach()
ESTIMATOR_CLASS_HP = "sagemaker_estimator_class_name"
RESERVED_HP_PREFIX = "sagemaker_"

# Hyperband infers MaxResource from the first of these static hyperparameters (amt-semantics §2.1).
EPOCH_HP_NAMES = ("epochs", "numepochs", "n-epochs", "n_epochs", "num_epochs")

# Limits AMT enforces but botocore's model does not encode (amt-semantics §2.2, §1.x).
MAX_TUNABLE_HPS = 30
MAX_CATEGORICAL_VALUES = 30
MAX_STATIC_HPS = 100
MAX_TOTAL_HPS = 100
MAX_METRIC_DEFINITIONS = 40
MAX_INSTANCE_CONFIGS = 6
MAX_GRID_JOBS = 750
MAX_HYPERBAND_RESOURCE = 20_000
MAX_ENVIRONMENT = 48
MAX_WARM_START_PARENTS = 5
MIN_NOT_IMPROVING = 3
JOB_NAME_MAX = 32
TRAINING_JOB_NAME_MAX = 63
NO_SUCCESS_ATTEMPTS = 5

STRATEGIES = ("Bayesian", "Random", "Grid", "Hyperband")
# Status sets, written once (the service model's HyperParameterTuningJobStatus / TrainingJobStatus enums).
TERMINAL_TUNING = ("Completed", "Failed", "Stopped", "DeleteFailed")
TERMINAL_TRAINING = ("Completed", "Failed", "Stopped")
# ParameterRanges' list fields, by kind of range (renderer and local engine read the same names).
PARAMETER_RANGE_LISTS = {
    "integer": "IntegerParameterRanges",
    "continuous": "ContinuousParameterRanges",
    "categorical": "CategoricalParameterRanges",
}
OBJECTIVE_TYPES = ("Minimize", "Maximize")
SCALING = {"auto": "Auto", "linear": "Linear", "log": "Logarithmic", "reverse_log": "ReverseLogarithmic"}
SOURCE_TARBALL = "sourcedir.tar.gz"

# Environment variables (boto3 conventions plus our own).
ENV_ROLE = "SAGEMAKER_ROLE_ARN"
ENV_ENDPOINT = "AWS_ENDPOINT_URL"
ENV_LOCAL_ROOT = "AMT_HYDRA_HOME"

# What a SageMaker training container's environment has, as the local engine recreates it.
ENV_TRAINING_JOB_NAME = "TRAINING_JOB_NAME"
ENV_TRAINING_JOB_ARN = "TRAINING_JOB_ARN"
ENV_TOOLKIT_BASE_DIR = "SAGEMAKER_BASE_DIR"  # the training toolkit's /opt/ml outside a container
# Per-job thread counts the local engine sets so parallel jobs share the cores.
THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)

# The API's integers are Java ints (botocore's model types them `integer`, as opposed to `long`).
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
MAX_CATEGORICAL_VALUE_LENGTH = 256
MAX_HP_NAME_LENGTH = 256  # HyperParameterKey's max in the service model
MIN_INSTANCE_COUNT = 1
# Environment variables a job may not set: SageMaker and the training toolkit set them, and through them a
# job would take another job's identity (name, ARN) or read and write outside its own folders (base dir,
# SM_* channel/model/output dirs, SAGEMAKER_* toolkit settings, the local engine's root).
RESERVED_ENVIRONMENT = (ENV_TRAINING_JOB_NAME, ENV_TRAINING_JOB_ARN, ENV_LOCAL_ROOT)
RESERVED_ENVIRONMENT_PREFIXES = ("SM_", "SAGEMAKER_", "AWS_CONTAINER_")
