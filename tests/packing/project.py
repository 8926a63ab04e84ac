"""A project folder holding code next to every kind of secret and machine state the packing rule keeps home."""

from __future__ import annotations

import json
import sys
import venv
from pathlib import Path

PEM = "-----BEGIN {kind}PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END {kind}PRIVATE KEY-----\n"
SERVICE_ACCOUNT = {"type": "service_account", "project_id": "p", "private_key_id": "abc",
                   "private_key": PEM.format(kind=""), "client_email": "sa@p.iam.gserviceaccount.com"}

TRAIN = """\
import argparse
import os
parser = argparse.ArgumentParser()
parser.add_argument("--position", type=float)
args, _ = parser.parse_known_args()
files = sorted(os.path.relpath(os.path.join(d, f)) for d, _, fs in os.walk(".") for f in fs)
print("code-files=" + ",".join(files))
print(f"score={(args.position - 0.3) ** 2:.6f}")
"""

EXPERIMENT = """\
# @package _global_
defaults:
  - override /strategy: random
name: packed
estimator:
  entry_point: train.py
  source_dir: .
  image_uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:latest
search_space:
  position: interval(0.0, 1.0)
metric:
  name: score
  definitions: [{name: score, regex: 'score=([0-9.]+)'}]
limits: {max_jobs: 2, max_parallel_jobs: 2}
"""

CODE = {  # packed, as named in the tarball
    "train.py": TRAIN,
    "pkg/__init__.py": "",
    "pkg/model.py": "WIDTH = 3\n",
    "conf/base.yaml": "lr: 0.1\n",
    "requirements.txt": "\n",
    "docs/keys.md": "Never commit a file that starts with -----BEGIN PRIVATE KEY----- (this line is not one).\n",
    "settings.json": json.dumps({"type": "config", "private_key_path": "/run/secret"}),
}

SECRETS = {  # left out: by name, or by content (deploy_token, model_config.json)
    "id_rsa": PEM.format(kind="RSA "), "id_dsa": PEM.format(kind="DSA "), "id_ecdsa": PEM.format(kind="EC "),
    "id_ed25519": PEM.format(kind="OPENSSH "), "keys/server.pem": "x", "keys/tls.key": "x", "keys/cert.p12": "x",
    "keys/cert.pfx": "x", "keys/store.jks": "x", ".ssh/config": "Host *\n", ".ssh/known_hosts": "h\n",
    ".git-credentials": "https://u:t@github.com\n", ".npmrc": "//registry.npmjs.org/:_authToken=t\n",
    ".pypirc": "[pypi]\npassword=t\n", ".netrc": "machine m login l password p\n",
    ".docker/config.json": '{"auths": {}}', ".aws/credentials": "[default]\n", ".azure/accessTokens.json": "[]",
    ".kube/config": "apiVersion: v1\n", "deploy/kubeconfig": "apiVersion: v1\n", ".env": "TOKEN=t\n",
    ".env.production": "TOKEN=t\n", "deploy_token": PEM.format(kind="ENCRYPTED "),
    "model_config.json": json.dumps(SERVICE_ACCOUNT),
}
SECRET_ENTRIES = {  # as Selection.secrets lists them: a secret folder once, with its slash
    *[n for n in SECRETS if not n.startswith((".ssh/", ".docker/", ".aws/", ".azure/", ".kube/"))],
    ".ssh/", ".docker/config.json", ".aws/", ".azure/", ".kube/",
}


def write_project(root: Path, with_venv: bool = True) -> Path:
    """Code, secrets, VCS data, caches, a virtualenv under an unusual name, a job store and run dirs."""
    for name, text in {**CODE, **SECRETS}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    extra = {".git/config": "[core]\n", "pkg/__pycache__/model.cpython-311.pyc": "x",
             "jobs/old-job/request.json": "{}", "jobs/old-job/tuning.json": "{}",
             "jobs/.staged/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n",
             "jobs/.staged/old-job/sourcedir.tar.gz": "x", "outputs/2026-01-01/12-00-00/.hydra/config.yaml": "{}",
             "runs/first/.hydra/config.yaml": "{}", "runs/first/request.json": "{}"}
    for name, text in extra.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    if with_venv:
        venv.EnvBuilder(with_pip=False, symlinks=sys.platform != "win32").create(root / "tools-env")
    return root


def write_experiment(root: Path) -> Path:
    """`conf/experiment/packed.yaml`: `source_dir: .`, so the whole project is the candidate for packing."""
    (root / "conf" / "experiment").mkdir(parents=True)
    (root / "conf" / "experiment" / "packed.yaml").write_text(EXPERIMENT)
    return root
