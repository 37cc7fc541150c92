"""JupyterLab's side of hipnb: notebooks saved with the metadata they are committed with.

A kernel that connects tells JupyterLab its name and language, down to the Python version, and
JupyterLab marks the notebook changed and saves it: a notebook only opened would change in git.
``make lab`` installs :func:`normalise_on_save` as the server's save hook, so a save writes the
kernel metadata every committed notebook carries (:data:`KERNEL_METADATA`, no Python version).

Example::

    jupyter lab --ContentsManager.pre_save_hook=hipnb.lab.normalise_on_save
"""

from __future__ import annotations

from typing import Any

#: The notebook metadata hipnb's notebooks are committed with (and saved with under ``make lab``).
KERNEL_METADATA: dict[str, Any] = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
    },
}


def normalise_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` with a Python kernel's kernelspec and language_info as committed; other keys
    (and a kernel of another language) are kept.

    >>> saved = normalise_metadata({"language_info": {"version": "3.11.7"}, "authors": []})
    >>> saved == {**KERNEL_METADATA, "authors": []}
    True
    """
    spec = metadata.get("kernelspec", {})
    if spec and spec.get("language", "python") != "python":
        return metadata
    return {**metadata, **KERNEL_METADATA}


def normalise_on_save(model: dict[str, Any], **_kwargs: Any) -> None:
    """A Jupyter server ``pre_save_hook``: a notebook is saved with :data:`KERNEL_METADATA`."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        content = model["content"]
        content["metadata"] = normalise_metadata(dict(content.get("metadata", {})))
