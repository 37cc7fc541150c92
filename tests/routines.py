"""Short routines for the tests that run one, written as a routine file says them."""

from __future__ import annotations


def routine_toml(name: str, *steps: str) -> str:
    """A routine file's text: each step ``"EXERCISE SIDE SECONDS"`` for a hold (side ``left``,
    ``right`` or ``both``) or ``"rest SECONDS [CUE...]"``.

    >>> print(routine_toml("q", "side_plank left 3", "rest 1 Switch sides.").strip())
    name = "q"
    [[steps]]
    exercise = "side_plank"
    side = "left"
    seconds = 3
    [[steps]]
    exercise = "rest"
    kind = "rest"
    seconds = 1
    cue = "Switch sides."
    """
    lines = [f'name = "{name}"']
    for step in steps:
        if step.startswith("rest "):
            _, seconds, *cue = step.split(" ", 2)
            lines += ["[[steps]]", 'exercise = "rest"', 'kind = "rest"', f"seconds = {seconds}"]
            lines += [f'cue = "{cue[0]}"'] if cue else []
        else:
            exercise, side, seconds = step.split()
            lines += ["[[steps]]", f'exercise = "{exercise}"', f'side = "{side}"']
            lines += [f"seconds = {seconds}"]
    return "\n".join(lines) + "\n"
