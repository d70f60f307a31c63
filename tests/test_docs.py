"""The documentation runs: every Python block of README.md and docs/*.md is executed.

The blocks of one page run top to bottom as one script (so a page can build on
its earlier blocks), in a subprocess whose working directory is a fresh
temporary folder holding a link to the repository's ``examples/``. The page is
run as ``python -c`` code, as in a notebook: worker processes that a sweep starts
do not re-run the whole page (a script would need, and the pages show, an
``if __name__ == "__main__":`` guard around a sweep). A block whose
first line is ``# not run: <reason>`` is skipped (for code that needs a
cluster or hours); the reason stays visible on the page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(text: str) -> list[str]:
    """The Python code blocks of a Markdown page, minus those marked ``# not run``."""
    return [b for b in _BLOCK.findall(text) if not b.lstrip().startswith("# not run")]


def test_blocks_are_found():
    text = "a\n```python\nx = 1\n```\n```python\n# not run: needs a cluster\ny\n```\n"
    assert python_blocks(text) == ["x = 1\n"]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_runs(page, tmp_path):
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip(f"{page.name} has no Python block")
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    script = tmp_path / f"doc_{page.stem.replace('-', '_')}.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    code = f"exec(compile(open({str(script)!r}, encoding='utf-8').read(), {str(script)!r}, 'exec'))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"{page.name}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
