"""`costgate init`: the starter files a team needs to gate its first feature.

Kept as plain text (not generated from the dataclasses) because they are documentation:
every key is commented with what it does and the alternatives.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from ..errors import CostgateError
from ..repo.paths import normalise
from ..yamlio import loads
from .loader import FEATURE_ID
from .propose import LINE_BREAKS, flow

CONFIG = """\
# costgate configuration: which specs the pull-request gate checks, and its thresholds.
# Docs: https://github.com/costgate/costgate#gate-your-pull-requests
specs: ["**/*.costgate.yaml"]       # globs, relative to the repository root

# pricing: ["pricing-overrides/"]   # your own price files layered over costgate's table

thresholds:                         # crossing any of these fails the check (exit 1)
  system_prompt_growth: {percent: 10, tokens: 200}   # per call; fail if either is exceeded
  monthly_cost_increase: {percent: 20, usd: 500}     # per feature
  # monthly_budget_usd: 25000                        # absolute, per feature

warn:                               # same keys: reported in the comment, never failed
  monthly_cost_increase: {percent: 5}

# features:                         # per-feature and per-call overrides
#   FEATURE:
#     monthly_cost_increase: {percent: 30}
#     calls:
#       answer: {system_prompt_growth: {percent: 25}}
"""

STARTER_BUDGET = 500
"""The starter spec's ``budget.monthly_usd`` (``init`` says what ``estimate`` will show)."""
SPEC = """\
# yaml-language-server: $schema=https://raw.githubusercontent.com/costgate/costgate/main/costgate/schemas/spec.schema.json
# A costgate feature spec: the LLM calls one user session makes. Run: costgate estimate {command_path}
version: 1
feature: {feature}
traffic: {{sessions_per_day: 1000, days_per_month: 30}}   # add growth_per_month: 0.05 for a runway
samples: {samples}                  # one real user question per line
calls:
  - name: answer
    model: gpt-4o-mini              # or mix: {{gpt-4o-mini: 0.8, gpt-4o: 0.2}}
    per_session: 2                  # calls per session; may be fractional
    system: {system}
    user: "{{{{ query }}}}"
    history: full                   # none | full | {{window: N}}
    output_tokens: 300              # or {{mean: 300, max: 1200}}
    cache: {{prompt_prefix: true}}
vars: {{product: Acme}}              # constants for the templates
budget: {{monthly_usd: {budget}}}
"""
"""Fixed text; every value that comes from the command line (the feature id, file names)
is written by the YAML serializer (``propose.flow``) and read back before it is written."""

SYSTEM = """\
You are the assistant of {{ product }}. Answer the user's question briefly and accurately.
If you do not know the answer, say so and suggest contacting support.
"""

QUERIES = """\
How do I reset my password?
Can I export my data to CSV?
What does the Pro plan include?
Why was I charged twice this month?
How do I invite a teammate?
"""

CHECKOUT = "actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803 # v6.1.0"
"""actions/checkout pinned by commit SHA, its release tag in the comment (zizmor, Dependabot)."""
ACTION_PIN: tuple[str, str] | None = None
"""(commit SHA, tag) of the costgate release the written workflow uses; the release
process (docs/release.md) sets it. Before the first release the workflow names the
moving ``v0`` tag and says to pin it."""


def _action_line() -> str:
    if ACTION_PIN is not None:
        return f"costgate/costgate@{ACTION_PIN[0]} # {ACTION_PIN[1]}"
    return ("costgate/costgate@v0 # zizmor: ignore[unpinned-uses] -- pin to the commit SHA of the release you "
            "reviewed")


WORKFLOW_TEMPLATE = """\
# costgate: fail pull requests that make LLM features cost too much.
name: costgate
on: pull_request
permissions: {{}}
concurrency:
  group: costgate-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true
jobs:
  costgate:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    permissions:
      contents: read
      pull-requests: write   # the sticky report comment
    steps:
      # A shallow checkout is enough: the action fetches the base commit itself.
      - uses: {checkout}
        with:
          persist-credentials: false
      # With no config input, the action finds costgate.yaml (or [tool.costgate] in
      # pyproject.toml) itself.
      - uses: {action}
"""


def workflow() -> str:
    """The GitHub workflow ``costgate init`` writes: every action pinned, no persisted
    credentials, least privilege per job, one run per pull request, a timeout."""
    return WORKFLOW_TEMPLATE.format(checkout=CHECKOUT, action=_action_line())


def check_names(root: Path, feature: str, directory: str) -> tuple[Path, str]:
    """(the resolved root, the normalised directory): refuse a feature id the spec loader
    would refuse (its ``FEATURE_ID`` rule), or a directory that is absolute, goes through
    ``..`` or holds control characters (it would leave ``root`` or break a line)."""
    if not re.fullmatch(FEATURE_ID, feature):
        raise CostgateError(f"--feature must be an id like 'support-bot', got {feature!r}",
                            hint="lower-case letters, digits, '.', '_' and '-', starting with a letter or digit")
    norm = normalise(directory)
    if norm is None or ".." in directory.replace("\\", "/").split("/"):
        raise CostgateError(f"--dir {directory!r} is outside the repository",
                            hint="give a folder relative to the repository root, without '..', e.g. llm")
    if any(ord(c) < 32 or ord(c) == 127 or c in LINE_BREAKS for c in directory):
        raise CostgateError(f"--dir {directory!r} holds control characters",
                            hint="give a folder name without newlines, tabs or other control characters, e.g. llm")
    root = Path(root).resolve()
    target = (root / norm).resolve()
    if target != root and root not in target.parents:
        raise CostgateError(f"--dir {norm!r} leads outside the repository (through a symlink)")
    return root, norm


def init(root: Path, feature: str = "example", directory: str = "llm", force: bool = False) -> list[Path]:
    """Write the starter files under ``root``; refuse to overwrite unless ``force``, and
    refuse a feature id the spec loader would refuse or a directory outside ``root``."""
    root, directory = check_names(root, feature, directory)
    files = starter_files(feature, directory)
    for rel in files:
        _check_target(root, rel)
    existing = [rel for rel in files if os.path.lexists(root / rel)]
    if existing and not force:
        raise CostgateError(f"would overwrite {', '.join(existing)}", hint="pass --force to overwrite")
    written = []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _check_target(root, rel)  # again, now that the folders exist
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def starter_files(feature: str, directory: str) -> dict[str, str]:
    """Repository-relative path -> text of every file ``init`` writes, in the order written."""
    spec_rel = spec_path(feature, directory)
    return {
        "costgate.yaml": CONFIG,
        spec_rel: starter_spec(feature, spec_rel),
        _in(directory, f"{feature}.system.j2"): SYSTEM,
        _in(directory, f"{feature}.queries.txt"): QUERIES,
        ".github/workflows/costgate.yml": workflow(),
    }


def starter_spec(feature: str, spec_rel: str) -> str:
    """The starter spec: fixed text, values through the serializer, parsed back and
    checked before it is returned (a value that changed meaning would be a bug)."""
    values = {"feature": feature, "samples": {"file": f"{feature}.queries.txt"},
              "system": {"file": f"{feature}.system.j2"}}
    text = SPEC.format(command_path=shlex.quote(spec_rel), budget=STARTER_BUDGET,
                       **{k: flow(v) for k, v in values.items()})
    data = loads(text, spec_rel).data
    read = {"feature": data["feature"], "samples": data["samples"], "system": data["calls"][0]["system"]}
    if read != values or data["budget"]["monthly_usd"] != STARTER_BUDGET:
        raise AssertionError(f"the starter spec does not read back as written: {read!r}")
    return text


def _in(directory: str, name: str) -> str:
    return name if directory == "." else f"{directory}/{name}"


def spec_path(feature: str, directory: str) -> str:
    """Where ``init`` puts the spec of ``feature``, repository-relative."""
    return _in(directory, f"{feature}.costgate.yaml")


NEVER_OVERWRITES = "costgate init --detect --write never overwrites a file"
NEW_FILE_HINT = "print the proposal without --write and merge it by hand, or pass another --feature"


def check_new(root: Path, rel: str) -> None:
    """Refuse ``rel`` when something is there already (a file, a folder, a link)."""
    _check_target(Path(root).resolve(), rel)
    if os.path.lexists(Path(root) / rel):
        raise CostgateError(f"{rel} exists; {NEVER_OVERWRITES}", hint=NEW_FILE_HINT)


def write_new(root: Path, rel: str, text: str) -> Path:
    """Write ``text`` to a new file ``root/rel``; never overwrite one, never through a link."""
    root = Path(root).resolve()
    check_new(root, rel)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_target(root, rel)  # again, now that the folders exist
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        raise CostgateError(f"{rel} exists; {NEVER_OVERWRITES}", hint=NEW_FILE_HINT) from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def _check_target(root: Path, rel: str) -> None:
    """Never write through a symlink, nor into a folder that leads out of ``root``."""
    path = root / rel
    if path.is_symlink():
        raise CostgateError(f"{rel} is a symlink; costgate init does not write through symlinks",
                            hint="remove the link, or write the file yourself")
    ancestor = path.parent
    while not os.path.lexists(ancestor) and ancestor != root:
        ancestor = ancestor.parent  # the nearest folder that exists decides where the rest goes
    real = Path(os.path.realpath(ancestor))
    if real != root and root not in real.parents:
        raise CostgateError(f"{rel} would be written outside the repository (a folder on its way is a symlink)")
    if os.path.lexists(path) and not path.is_file():
        raise CostgateError(f"{rel} exists and is not a regular file")
