"""What the README's examples show: the flags example, run on the sample, names hana's running load."""

from __future__ import annotations

import contextlib
import io
import re

from .conftest import ROOT


def test_the_readme_flags_example_shows_hanas_running_load(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:  # in order, as the README reads (the first writes the sample)
            exec(compile(block, "README.md", "exec"), {})
    assert re.search(r"^hana amber load rising sharply", out.getvalue(), re.M | re.I), (
        out.getvalue()
    )
