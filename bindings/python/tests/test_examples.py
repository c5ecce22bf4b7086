"""The examples run and say what they should."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_quickstart_runs():
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("rule set 'standard'")
    assert "order ord-0001: valid=True total=5390" in lines
    assert "status: ready (matched: everything-else)" in lines
    assert lines[-1].startswith("refused: LIFECYCLE_")
