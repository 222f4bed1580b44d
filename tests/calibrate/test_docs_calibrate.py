"""docs/calibrate.md's worked example is real: its commands run, in order, on a copy of
fixtures/support-bot as its own repository, with the edits the prose describes, and
print what the doc shows (a block ending in ``...`` shows the first lines; lines after a
``...`` line are the last lines)."""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import FIXTURES, ROOT, commit, init_repo, write

pytest.importorskip("duckdb")

DOC = (ROOT / "docs" / "calibrate.md").read_text(encoding="utf-8")


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC, flags=re.S)


def matches(shown: list[str], actual: list[str]) -> bool:
    if "..." not in shown:
        return shown == actual
    cut = shown.index("...")
    head, tail = shown[:cut], shown[cut + 1:]
    return actual[:len(head)] == head and (not tail or actual[-len(tail):] == tail)


@pytest.mark.slow  # three estimates and a gate run over the support-bot fixture (~10 s)
def test_the_worked_example_runs_as_documented(run, tmp_path, monkeypatch):
    root = init_repo(tmp_path / "support-bot")
    shutil.copytree(FIXTURES / "support-bot", root, dirs_exist_ok=True)
    monkeypatch.chdir(root)
    consoles = [b for b in blocks("console") if b.startswith("$ costgate")]
    assert len(consoles) == 4
    yamls = blocks("yaml")
    for block in consoles:
        command, *shown = block.rstrip("\n").split("\n")
        argv = command[len("$ costgate "):].split()
        if argv[0] == "estimate":  # step 3: reference the calibration
            spec = root / "support-bot.costgate.yaml"
            text = spec.read_text()
            assert yamls[1].splitlines()[0] in text
            spec.write_text(text.replace(yamls[1].splitlines()[0] + "\n", yamls[1]))
        if argv[0] == "diff":  # step 4: the config on the default branch, then the pull request
            write(root, {"costgate.yaml": yamls[2]})
            commit(root, "calibrated")
            spec = root / "support-bot.costgate.yaml"
            spec.write_text(spec.read_text().replace("{gpt-4o-mini: 0.7, gpt-4o: 0.3}", "{gpt-4o-mini: 0.65, gpt-4o: 0.35}"))
        code, out, err = run(*argv)
        assert code == (1 if argv[0] == "diff" else 0), err
        assert matches(shown, out.rstrip("\n").split("\n")), out
        if "--write" in argv:
            assert (root / "calibration.yaml").read_text() == yamls[0]
