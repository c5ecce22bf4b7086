"""The examples run and say what they should: examples/quickstart.py and the
README's runnable snippets (the ```python blocks; signatures are in ```py blocks)."""

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
EXAMPLES = HERE / "examples"


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


def run_snippets_and_check_promises(readme: Path, expected_blocks: int) -> None:
    """Runs every ```python block of `readme` in one namespace; each `# value`
    comment after a print is output the block promises, in order."""
    text = readme.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == expected_blocks
    namespace: dict = {}
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(readme), "exec"), namespace)
        printed = out.getvalue().splitlines()
        promised = [
            m.group(1).strip()
            for m in re.finditer(r"#\s+(\S[^#\n]*?)(?:\s+\.\.\.)?$", block, flags=re.M)
        ]
        for want in promised:
            assert any(line.startswith(want) for line in printed), (want, printed)


def test_readme_snippets_run_and_print_what_they_say():
    run_snippets_and_check_promises(HERE / "README.md", 7)


def test_the_project_readme_python_example_runs_and_prints_what_it_says():
    run_snippets_and_check_promises(HERE.parents[1] / "README.md", 1)
