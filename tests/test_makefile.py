"""`make help` names every target a person runs."""

from __future__ import annotations

import re
import subprocess

from .conftest import ROOT


def test_make_help_lists_every_target():
    makefile = (ROOT / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()) - {"help"}
    shown = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True)
    listed = {line.split()[1] for line in shown.stdout.splitlines() if line.startswith("make ")}
    assert phony - listed == set(), shown.stdout
    assert {"unit", "lint"} <= listed
