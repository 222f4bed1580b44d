"""Regenerate the golden report files under tests/golden/.

Usage (from the repository root, or with the script's full path from anywhere)::

    python tests/update_golden.py          # rewrite every golden file
    python tests/update_golden.py --check  # exit 1 if any golden file is stale

Run it after a deliberate change to the report format (or a version bump, which shows in
the comment's footer), review ``git diff tests/golden/``, and commit the result. The
tests (tests/test_golden.py) compare the same generators' output with these files
byte for byte, and the README shows ``tests/golden/fixture-diff.md`` as the example
pull-request comment, so what you commit here is what users see.

Each golden report is produced the way CI produces it: a throwaway git repository in a
temporary directory, a base commit, a change on top, then ``costgate diff`` with a fixed
``--as-of`` day and ``--seed`` so the numbers never move on their own. Nothing is written
outside the temporary directory and tests/golden/.

The git and CLI helpers come from tests/helpers.py, which the tests use too.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported from elsewhere: helpers.py sits next to this file
    sys.path.insert(0, str(HERE))
if str(HERE.parent) not in sys.path:  # `python tests/update_golden.py` from a checkout
    sys.path.insert(0, str(HERE.parent))

from helpers import AS_OF, GOLDEN, ROOT, commit, git, init_repo, run_costgate  # noqa: E402

SEED = "1"

# Appended to fixtures/support-bot/prompts/system.j2 in the head commit: a realistic
# "one more section" change that grows the system prompt past the default 200-token limit,
# so the comment shows a failed check with its thresholds and suggestions.
HOLIDAY_PARAGRAPH = """
# Holiday support hours

Between December 24 and January 2, human agents work reduced hours: Team and Business escalations are answered within 2 business days, and Enterprise P1 issues keep their 1-hour response. When you escalate during this period, tell the customer about the longer wait before they ask, and link the Help Center article that matches their question ({{ help_center_url }}/holidays lists the most common ones). Do not promise a faster response to make up for the delay, and do not suggest that a customer upgrade their plan to get one. Billing questions that can wait should be answered with the policy above and a note that the Billing team will confirm in January. Security reports are the exception: they go to {{ security_email }} and are read every day, holidays included.

During the same period the status page may show scheduled maintenance windows. If a customer reports slowness or errors, check {{ status_page_url }} with them first and quote the maintenance window if one is listed. Exports, imports of more than 10,000 tasks, and workspace ownership transfers are processed as usual, but any case that needs a human decision waits for the next business day. Say so plainly rather than letting the customer find out later.
"""


# ------------------------------------------------------------------------------ generators

def fixture_diff(workdir: Path, fmt: str = "markdown") -> str:
    """The report of a change to fixtures/support-bot in ``fmt``: the base commit holds
    the fixture as shipped (and is what ``origin/main`` points at), the head commit
    appends HOLIDAY_PARAGRAPH to its system prompt."""
    root = init_repo(workdir / "repo")
    shutil.copytree(ROOT / "fixtures" / "support-bot", root / "fixtures" / "support-bot")
    commit(root, "support-bot as shipped")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(root, "checkout", "-q", "-b", "holiday-hours")
    system = root / "fixtures" / "support-bot" / "prompts" / "system.j2"
    with system.open("a", encoding="utf-8", newline="\n") as fh:
        fh.write(HOLIDAY_PARAGRAPH)
    commit(root, "support-bot: holiday support hours")
    code, out, err = run_costgate("diff", "-C", root, "--base", "origin/main", "--as-of", AS_OF,
                                  "--seed", SEED, "--format", fmt, "--no-annotations")
    if code not in (0, 1):
        raise RuntimeError(f"costgate diff exited {code}: {err}")
    return out


def fixture_diff_markdown(workdir: Path) -> str:
    """The pull-request comment for the change (the README's example)."""
    return fixture_diff(workdir)


def fixture_diff_html(workdir: Path) -> str:
    """The same change as an HTML report (docs/html.md)."""
    return fixture_diff(workdir, "html")


def _estimate_fixtures(fmt: str) -> Callable[[Path], str]:
    """``costgate estimate fixtures/ --what-if`` in one format, copied into a throwaway
    repository so paths in the report are the same wherever the checkout lives."""

    def generate(workdir: Path) -> str:
        root = init_repo(workdir / "repo")
        shutil.copytree(ROOT / "fixtures", root / "fixtures")
        code, out, err = run_costgate("estimate", root / "fixtures", "--as-of", AS_OF, "--seed", SEED,
                                      "--what-if", "--format", fmt)
        if code != 0:
            raise RuntimeError(f"costgate estimate exited {code}: {err}")
        return out

    return generate


GENERATORS: dict[str, Callable[[Path], str]] = {
    "fixture-diff.md": fixture_diff_markdown,
    "estimate-fixtures.txt": _estimate_fixtures("table"),
    "estimate-fixtures.md": _estimate_fixtures("markdown"),
    "estimate-fixtures.json": _estimate_fixtures("json"),
    "fixture-diff.html": fixture_diff_html,
    "estimate-fixtures.html": _estimate_fixtures("html"),
}


def generate(name: str) -> str:
    with tempfile.TemporaryDirectory(prefix="costgate-golden-") as tmp:
        return GENERATORS[name](Path(tmp))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    stale = []
    GOLDEN.mkdir(exist_ok=True)
    for name in GENERATORS:
        text = generate(name)
        path = GOLDEN / name
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old == text:
            print(f"unchanged {path.relative_to(ROOT)}")
        elif check:
            stale.append(name)
            print(f"stale     {path.relative_to(ROOT)}")
        else:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote     {path.relative_to(ROOT)}")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    updated = readme_with_golden(text, (GOLDEN / "fixture-diff.md").read_text(encoding="utf-8"))
    if updated != text:
        if check:
            stale.append("README.md")
            print("stale     README.md (the example comment)")
        else:
            readme.write_text(updated, encoding="utf-8", newline="\n")
            print("wrote     README.md (the example comment)")
    return 1 if stale else 0


README_START = "<!-- golden:fixture-diff:start -->\n"
README_END = "\n<!-- golden:fixture-diff:end -->"


def readme_with_golden(readme: str, golden: str) -> str:
    """README.md with the example PR comment replaced by the golden file's text."""
    head, rest = readme.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return head + README_START + golden.rstrip("\n") + README_END + tail


if __name__ == "__main__":
    sys.exit(main())
