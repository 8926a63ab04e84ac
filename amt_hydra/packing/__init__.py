"""The packing rule shared by every launcher: which files of `estimator.source_dir` training jobs get.

`select` decides (rules.py: the secrets deny-list, machine-state folders, noise and `.amtignore`);
`write_tarball` packs a selection as `sourcedir.tar.gz`, which the SageMaker launcher uploads and the local
launcher stages once per tuning job; `write_packed_list` records the names in the run dir.
"""

from __future__ import annotations

from amt_hydra.packing.rules import IGNORE_FILE
from amt_hydra.packing.select import Selection, select
from amt_hydra.packing.tarball import PACKED_LIST, package_source, tag_cache, write_packed_list, write_tarball

__all__ = ["IGNORE_FILE", "PACKED_LIST", "Selection", "package_source", "select", "tag_cache",
           "write_packed_list", "write_tarball"]
