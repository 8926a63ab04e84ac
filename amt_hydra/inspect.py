"""`python -m amt_hydra.inspect NAME ...`: the old spelling of `amt-hydra inspect`, kept working.

The command lives in `amt_hydra.inspection` (a module name that does not shadow the standard library's
`inspect`); nothing imports this shim.
"""

from __future__ import annotations

import sys

from amt_hydra.inspection import main

if __name__ == "__main__":
    sys.exit(main())
