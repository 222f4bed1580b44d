"""What ``costgate init --detect`` tells a person on stderr: what it found, by kind,
and what to run next. Counts and model ids only: no file name is echoed (names come from
the repository and may hold anything)."""

from __future__ import annotations

from collections import Counter

from ..spec.detect import MAX_FILES, Detected
from ..spec.propose import listed

KIND_LABELS = (("prompty", ".prompty file", ".prompty files"),
               ("template", "prompt template file", "prompt template files"),
               ("yaml", "prompt inside YAML/JSON/TOML", "prompts inside YAML/JSON/TOML"),
               ("python", "Python prompt constant", "Python prompt constants"))


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"1 {singular}" if count == 1 else f"{count:,} {plural or singular + 's'}"


def summary(found: Detected) -> list[str]:
    kinds = Counter[str](p.kind for p in found.prompts)
    prompts = [_n(kinds[k], one, many) for k, one, many in KIND_LABELS if kinds[k]] or ["no prompts"]
    models = Counter(str(s.value) for s in found.settings if s.kind == "model")
    named = listed(models)
    settings = Counter(s.kind for s in found.settings)
    lines = [f"found: {', '.join(prompts)}",
             f"  model ids: {named or 'none known to the price table'}",
             f"  max_tokens: {settings['max_tokens']}, reasoning effort: {settings['reasoning_effort']}, "
             f"samples (.jsonl): {len(found.samples)}",
             f"looked at {_n(found.files, 'file')}; skipped {_n(found.skipped_dirs, 'folder')} (hidden, "
             "dependencies, virtual environments, builds, caches, other repositories)"]
    lines += [f"  not read: {_n(n, 'file')}: {reason}" for reason, n in found.skipped]
    if found.truncated:
        lines.append(f"  stopped early (at {MAX_FILES:,} files or the read budget): the proposal may miss "
                     "prompts; run it on a smaller folder with -C")
    return lines


def next_steps(found: Detected, spec: str, written: bool) -> list[str]:
    steps = ["next:"]
    if not written:
        steps.append("  review the proposal above, then write it with --write (it never overwrites a file)")
    steps.append(f"  do the TODOs in {spec}, then: costgate estimate {spec}")
    steps.append("  check one prompt renders as estimated: costgate tokens PROMPT_FILE --sample SAMPLES_FILE")
    return steps
