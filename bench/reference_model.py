"""The rollups against the reference model (tests/metrics/test_reference_model.py) with many
generated histories instead of the few `make test` runs: fresh random examples each time.

    .venv/bin/python bench/reference_model.py [examples]   (default 300)

Last line: examples=N passed=yes|no seconds=S
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    env = {**os.environ, "REFERENCE_EXAMPLES": str(examples), "HYPOTHESIS_PROFILE": "bench"}
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/metrics/test_reference_model.py", "-q",
         "-p", "no:cacheprovider", "-x"],
        cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"examples={examples} passed={'yes' if run.returncode == 0 else 'no'} "
          f"seconds={seconds:.0f}")  # fmt: skip
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
