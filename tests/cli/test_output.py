"""Where reports go: `-o FILE` confirms on stderr what it wrote (not with --quiet), and
terminal tables fit the terminal (a TTY's width, or COLUMNS), full width on a pipe, in a
file and with --wide."""

from __future__ import annotations

import io
import os

import pytest
from helpers import AS_OF, FIXTURES

from costgate.cli import options

SPEC = FIXTURES / "support-bot" / "support-bot.costgate.yaml"


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_estimate_o_confirms_what_it_wrote(run, tmp_path):
    report = tmp_path / "estimate.md"
    code, out, err = run("estimate", SPEC, "--as-of", AS_OF, "--format", "markdown", "-o", report)
    assert code == 0 and out == ""
    size = len(report.read_text(encoding="utf-8").encode("utf-8"))
    assert size == os.path.getsize(report) > 1000
    assert err.splitlines()[0] == f"wrote markdown report to {report} ({size} bytes)"
    code, out, err = run("estimate", SPEC, "--as-of", AS_OF, "--format", "json", "-o", report, "--quiet")
    assert (code, out) == (0, "") and "wrote" not in err


def test_o_names_a_hostile_path_flattened(run, tmp_path):
    report = tmp_path / "a\n::error::x.txt"
    code, out, err = run("estimate", SPEC, "--as-of", AS_OF, "-o", report)
    assert code == 0 and report.is_file()
    assert "\n::error::" not in err and err.startswith("wrote table report to ")


def test_pipe_is_full_width_and_columns_fits(run, monkeypatch):
    code, full, _ = run("estimate", SPEC, "--as-of", AS_OF)
    assert code == 0 and _widest(full) > 130  # the 136-column table of the README
    monkeypatch.setenv("COLUMNS", "80")
    code, fitted, _ = run("estimate", SPEC, "--as-of", AS_OF)
    assert code == 0 and _widest(fitted) <= 80
    assert "(hidden to fit 80 columns: system tok, output tok, per session, $/call, share," in fitted
    assert "$1,661.67" in fitted  # the answer call's monthly cost stays
    code, wide, _ = run("estimate", SPEC, "--as-of", AS_OF, "--wide")
    assert wide == full


def test_pricing_list_fits(run, monkeypatch):
    code, full, _ = run("pricing", "list", "--as-of", AS_OF)
    assert code == 0 and _widest(full) > 170
    monkeypatch.setenv("COLUMNS", "100")
    code, fitted, _ = run("pricing", "list", "--as-of", AS_OF)
    assert _widest(fitted) <= 100 and "gpt-4o-mini" in fitted and "(hidden to fit 100 columns: retired," in fitted
    assert run("pricing", "list", "--as-of", AS_OF, "--wide")[1] == full
    assert run("pricing", "list", "--as-of", AS_OF, "--format", "json")[1] == (
        run("pricing", "list", "--as-of", AS_OF, "--format", "json", "--wide")[1])


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("wide, output, tty, columns, expected", [
    (False, None, True, None, 77),      # a terminal: its width
    (False, None, True, "120", 77),     # (get_terminal_size reads COLUMNS itself; patched here)
    (False, None, False, None, None),   # a pipe: full width
    (False, None, False, "90", 90),     # a pipe with COLUMNS: honoured
    (False, None, False, "x", None),    # nonsense COLUMNS: ignored
    (True, None, True, "90", None),     # --wide
    (False, "r.txt", True, "90", None),  # -o FILE
])
def test_table_width(monkeypatch, wide, output, tty, columns, expected):
    monkeypatch.setattr(options.sys, "stdout", _Tty() if tty else io.StringIO())
    monkeypatch.setattr(options.shutil, "get_terminal_size", lambda: os.terminal_size((77, 24)))
    if columns is not None:
        monkeypatch.setenv("COLUMNS", columns)
    assert options.table_width(wide, output) == expected
