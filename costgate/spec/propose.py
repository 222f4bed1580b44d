"""The spec ``costgate init --detect`` proposes from what it found: a skeleton to review.

Prompts become calls: a system and a user prompt that sit together (``answer/system.j2``
and ``answer/user.j2``, ``ANSWER_SYSTEM``/``ANSWER_USER`` in one module, ``system:`` and
``user:`` under one YAML key) share a call; a ``.prompty`` file is a call of its own.
Each prompt is referenced by file, never copied: ``{file: …}``, ``{file: …, key: …}``
for a text inside YAML/JSON/TOML, ``{file: …, symbol: …}`` for a Python constant, and
``prompt: {file: x.prompty}``. What cannot be detected (traffic, calls per session,
output length, samples) is a value marked TODO.

Every value is written by the YAML serializer (``flow``), never pasted into the text,
and the result is parsed back and compared before it is returned; comments are fixed
text and counts (no file name appears in one). Same findings, same text.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml

from .detect import Detected, FoundPrompt

ROLE_WORDS = frozenset({"system", "user", "prompt", "prompts", "template", "templates", "tmpl", "message", "messages",
                        "msg", "instruction", "instructions", "human", "query", "question", "input", "content", "context",
                        "text", "persona", "preamble"})
"""Words of a name that say which message a prompt is, not which call."""
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")
DEFAULT_MODEL = "gpt-4o-mini"


def flow(value: Any) -> str:
    """``value`` as one line of YAML (flow style), escaped by the serializer."""
    text = yaml.safe_dump(value, default_flow_style=True, width=float("inf"), allow_unicode=True, sort_keys=False)
    text = text.removesuffix("\n...\n").removesuffix("\n")
    if any(b in text for b in LINE_BREAKS) or yaml.safe_load(text) != value:
        text = yaml.safe_dump(value, default_flow_style=True, width=float("inf"), allow_unicode=False,
                              sort_keys=False, default_style='"').removesuffix("\n")
    if any(b in text for b in LINE_BREAKS) or yaml.safe_load(text) != value:
        raise AssertionError(f"cannot write {value!r} as one line of YAML")
    return text


def _core(name: str) -> str:
    """A name without its role words: ``answer.system`` -> ``answer``."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name) if w]
    return "-".join(w.lower() for w in words if w.lower() not in ROLE_WORDS)


@dataclass
class ProposedCall:
    name: str
    prompts: dict[str, FoundPrompt] = field(default_factory=dict)
    """Role ("system", "context", "user", or "prompt" for a .prompty file) -> the prompt."""

    @property
    def files(self) -> set[str]:
        return {p.file for p in self.prompts.values()}


def _group(p: FoundPrompt) -> tuple[str, ...]:
    """Prompts with the same group key belong to one call."""
    if p.kind == "prompty":
        return ("prompty", p.file)
    if p.kind == "template":
        return ("template", posixpath.dirname(p.file), _core(posixpath.basename(p.file).split(".", 1)[0]))
    if p.kind == "python":
        return ("python", p.file, _core(p.symbol or ""))
    parts = (p.key or "").split(".")
    parent = parts[:-1]
    while parent and parent[-1].isdigit():
        parent.pop()
    return ("yaml", p.file, ".".join(parent), _core(parts[-1]))


def _name(p: FoundPrompt, key: tuple[str, ...]) -> str:
    stem = posixpath.basename(p.file).split(".", 1)[0]
    if p.kind == "template":
        candidates = [key[2], *(_core(part) for part in reversed(key[1].split("/"))), _core(stem)]
    elif p.kind == "yaml":
        candidates = [key[3], *(_core(part) for part in reversed(key[2].split("."))), _core(stem)]
    else:
        candidates = [key[2] if p.kind == "python" else "", _core(stem)]
    best = next((c for c in candidates if c), "") or stem
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", best).strip("-.").lower()[:60] or "call"


def calls(prompts: tuple[FoundPrompt, ...]) -> list[ProposedCall]:
    """The calls the prompts suggest, in the order their first prompt was found; a
    second prompt for a role a call already has starts a call of its own."""
    out: list[ProposedCall] = []
    open_calls: dict[tuple[str, ...], ProposedCall] = {}
    for p in prompts:
        key = _group(p)
        role = "prompt" if p.kind == "prompty" else p.role
        call = open_calls.get(key)
        if call is None or role in call.prompts:
            call = open_calls[key] = ProposedCall(_name(p, key))
            out.append(call)
        call.prompts[role] = p
    taken: set[str] = set()
    for c in out:
        name, n = c.name, 1
        while name in taken:
            n += 1
            name = f"{c.name}-{n}"
        c.name = name
        taken.add(name)
    return out


HEADER = """\
# yaml-language-server: $schema=https://raw.githubusercontent.com/costgate/costgate/main/costgate/schemas/spec.schema.json
# Proposed by `costgate init --detect` from the files it found: review every line, do the TODOs,
# then run `costgate estimate` on this file. Paths are relative to this file.
"""
TODO = {
    "traffic": "TODO: your traffic (a session is one user's visit; growth_per_month: 0.05 adds a runway)",
    "samples_found": "TODO: check these rows are real inputs holding the variables the templates use",
    "samples_missing": "TODO: create it: one real user query per line (or a .jsonl of template variables)",
    "per_session": "TODO: requests of this call in one session",
    "output_tokens": "TODO: mean tokens of a reply (your logs or the provider's usage report)",
    "user": "TODO: the message each request sends, a template over a sample row",
    "no_model": "TODO: no model id found; pick one (costgate pricing list)",
    "local": "found beside the prompt",
    "repo": "the model found most often in the repository",
}


def listed(models: Counter[str], most: int = 8) -> str:
    """The model ids found, most often first (ties: in the order found), with counts."""
    named = [f"{m} ({n})" for m, n in models.most_common() if SAFE_ID.match(m)]
    return ", ".join(named[:most]) + (f" and {len(named) - most} more" if len(named) > most else "")


def _source(p: FoundPrompt, spec_dir: str) -> dict[str, str]:
    rel = posixpath.relpath(p.file, spec_dir or ".")
    if p.kind == "python" and p.symbol:
        return {"file": rel, "symbol": p.symbol}
    if p.kind == "yaml" and p.key:
        return {"file": rel, "key": p.key}
    return {"file": rel}


class _Writer:
    """Lines of YAML and the data they must parse back to, built together."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def put(self, target: dict, indent: str, key: str, value: Any, comment: str = "") -> None:
        target[key] = value
        self.lines.append(f"{indent}{key}: {flow(value)}" + (f"  # {comment}" if comment else ""))


def _call(w: _Writer, c: ProposedCall, found: Detected, repo_model: str | None, spec_dir: str) -> dict:
    item: dict[str, Any] = {}
    w.put(item, "  - ", "name", c.name)
    local = [s for s in found.settings if s.file in c.files]
    model = next((s.value for s in local if s.kind == "model"), None)
    comment = TODO["local"] if model else TODO["repo"] if repo_model else TODO["no_model"]
    w.put(item, "    ", "model", model or repo_model or DEFAULT_MODEL, comment)
    w.put(item, "    ", "per_session", 1, TODO["per_session"])
    for role in ("prompt", "system", "context", "user"):
        if role in c.prompts:
            w.put(item, "    ", role, _source(c.prompts[role], spec_dir))
    if "prompt" not in c.prompts and "user" not in c.prompts:
        w.put(item, "    ", "user", "{{ query }}", TODO["user"])
    w.put(item, "    ", "output_tokens", 300, TODO["output_tokens"])
    max_tokens = next((s.value for s in local if s.kind == "max_tokens"), None)
    if max_tokens is not None:
        w.put(item, "    ", "max_tokens", max_tokens, TODO["local"])
    effort = next((s.value for s in local if s.kind == "reasoning_effort"), None)
    if effort is not None:
        w.put(item, "    ", "reasoning", {"effort": effort}, TODO["local"])
    return item


def propose(found: Detected, feature: str, spec_dir: str = "") -> str:
    """The proposed spec's text, to be written as ``spec_dir/<feature>.costgate.yaml``."""
    models = Counter(str(s.value) for s in found.settings if s.kind == "model")
    repo_model = models.most_common(1)[0][0] if models else None
    w, doc = _Writer(), dict[str, Any]()
    w.lines.append(HEADER.rstrip("\n"))
    if len(models) > 1:
        w.lines.append(f"# Models found (times): {listed(models)}; a call may take mix: {{a: 0.7, b: 0.3}}")
    w.put(doc, "", "version", 1)
    w.put(doc, "", "feature", feature)
    w.put(doc, "", "traffic", {"sessions_per_day": 1000, "days_per_month": 30}, TODO["traffic"])
    if found.samples:
        w.put(doc, "", "samples", {"file": posixpath.relpath(found.samples[0], spec_dir or ".")},
              TODO["samples_found"] + (f" ({len(found.samples)} .jsonl files found)" if len(found.samples) > 1 else ""))
    else:
        w.put(doc, "", "samples", {"file": f"{feature}.queries.txt"}, TODO["samples_missing"])
    w.lines.append("# vars: {product: Acme}   # constants the templates use")
    w.lines.append("calls:")
    proposed = calls(found.prompts) or [ProposedCall("answer")]
    if not found.prompts:
        w.lines.append("  # No prompt found: add system: {file: path/to/system-prompt} to this call.")
    doc["calls"] = [_call(w, c, found, repo_model, spec_dir) for c in proposed]
    text = "\n".join(w.lines) + "\n"
    if yaml.safe_load(text) != doc:
        raise AssertionError("the proposed spec does not read back as written")
    return text
