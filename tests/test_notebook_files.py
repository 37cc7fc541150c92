"""Notebooks as files: committed in the form JupyterLab saves under `make lab`, so opening one (its
kernel connects, JupyterLab marks it changed and autosaves it) leaves it unchanged in git."""

from __future__ import annotations

import copy
import json
import subprocess

import nbformat
import pytest

from hipnb.lab import KERNEL_METADATA, normalise_on_save

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: What a connected ipykernel tells JupyterLab (the version is the machine's Python).
CONNECTED = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {**KERNEL_METADATA["language_info"], "version": "3.11.7"},
}


def saved_by_lab(text: str) -> str:
    """The file JupyterLab writes for ``text`` once its kernel has connected (the save hook run)."""
    content = json.loads(text)
    content["metadata"] = {**content["metadata"], **copy.deepcopy(CONNECTED)}
    model = {"type": "notebook", "content": content}
    normalise_on_save(model=model, path="x.ipynb", contents_manager=None)
    return nbformat.writes(nbformat.from_dict(model["content"])) + "\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_notebook_opened_and_saved_in_lab_is_unchanged(path):
    text = path.read_text(encoding="utf-8")
    assert saved_by_lab(text) == text


def test_make_lab_installs_the_save_hook():
    dry = subprocess.run(
        ["make", "-n", "lab", "PYTHON=python3"], cwd=ROOT, capture_output=True, text=True
    )
    assert "--ContentsManager.pre_save_hook=hipnb.lab.normalise_on_save" in dry.stdout, dry


def test_the_hook_leaves_other_files_and_other_languages_alone():
    model = {"type": "file", "content": "x"}
    normalise_on_save(model=model)
    assert model == {"type": "file", "content": "x"}
    r = {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}
    model = {"type": "notebook", "content": {"metadata": copy.deepcopy(r), "cells": []}}
    normalise_on_save(model=model)
    assert model["content"]["metadata"] == r
