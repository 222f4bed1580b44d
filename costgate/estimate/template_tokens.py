"""``costgate tokens`` on a template: the prompt the estimator counts, not its source.

``{{ product }}`` is five tokens of Jinja2 and two of "Acme Cloud"; a loop over the
retrieved documents is a dozen tokens of source and thousands of text. So a template is
rendered by the estimator's own ``render_call``, in the same bounded sandbox with the
same undefined-variable errors, over variables given on the command line (``--var``)
and/or the rows of a samples file, and the counts are summarised over the rows with the
estimator's percentile rule. Only text that is no template is counted as it is.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Mapping, Sequence

from ..errors import CostgateError
from ..limits import DEFAULT_LIMITS, WorkLimits
from ..repo.source import find_root, relative
from ..repo.worktree import WorkTree
from ..spec import Call, ModelShare, Spec, Template, Traffic
from ..spec.includes import Includes
from ..spec.model import FORMAT_BY_EXTENSION
from ..spec.samples import Samples, read_samples
from ..tokens import ChatOverhead, Message, Tokenizer, ToolCount, count_messages
from .price_call import percentile
from .render import render_call

Mode = Literal["raw", "rendered", "samples"]
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")
"""Files rendered even when they hold no template syntax (Jinja2 drops one final newline)."""
SYNTAX = re.compile(r"\{[{%#]")
"""Where Jinja2 syntax starts: ``{{``, ``{%`` or ``{#``."""
VAR_HINT = "--var NAME=VALUE gives a string, --var NAME:=JSON any JSON value (a number, a list, an object)"
COMMAND_LINE = "<command line>"
"""The samples label of a rendering without a samples file (left out of messages)."""
UNDEFINED_HINT = ("pass it with --var NAME=VALUE, or --sample FILE with rows that have it; guard it with "
                  "{% if x is defined %}; or count the source as it is with --raw")


def is_template(text: str, name: str) -> bool:
    """Whether ``costgate tokens`` renders this input (unless ``--raw``): a template file
    by its extension, or any text holding Jinja2 syntax."""
    return name.lower().endswith(TEMPLATE_SUFFIXES) or SYNTAX.search(text) is not None


def parse_vars(values: Sequence[str]) -> dict[str, Any]:
    """``--var`` values: ``NAME=VALUE`` (a string) or ``NAME:=JSON`` (a JSON value)."""
    out: dict[str, Any] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep:
            raise CostgateError(f"--var {_short(value)} has no '='", hint=VAR_HINT)
        is_json = name.endswith(":")
        name = name[:-1] if is_json else name
        if not name.isidentifier():
            raise CostgateError(f"--var {_short(value)}: {_short(name)} is not a template variable name",
                                hint="a name is letters, digits and '_', not starting with a digit; " + VAR_HINT)
        if name in out:
            raise CostgateError(f"--var {name} is given twice", hint="give each variable once")
        out[name] = _json(text, name) if is_json else text
    return out


def _json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CostgateError(f"--var {name}:= is not valid JSON: {exc.msg} (character {exc.pos + 1})",
                            hint="quote a string as JSON (--var 'name:=\"text\"'), or use --var name=text") from None
    except (RecursionError, ValueError):
        raise CostgateError(f"--var {name}:= is nested too deeply or holds a number too long") from None


def _short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "...")


@dataclass(frozen=True)
class Rows:
    """What a template is rendered over, and how to say so."""

    mode: Mode
    variables: Mapping[str, Any]
    """The ``--var`` values (a sample row's fields win over them, as over a spec's ``vars``)."""
    rows: tuple[Mapping[str, Any], ...] = ({},)
    samples_file: str | None = None
    samples_total: int = 0
    """Rows in the samples file (more than ``len(rows)`` when they were sampled)."""
    row: int | None = None
    """``--row``: the one sample rendered (1-based, as the estimator numbers samples)."""
    asked: bool = False
    """Raw because ``--raw`` said so (text without template syntax is raw unasked)."""

    def describe(self) -> str:
        """One line saying what was counted."""
        n = len(self.variables)
        given = f"{n} variable{'' if n == 1 else 's'} from --var"
        if self.mode == "raw":
            return "raw text (not rendered)"
        if self.samples_file is None:
            return f"rendered with {given}" if n else "rendered (no variables)"
        also = f", and {given}" if n else ""
        if self.row is not None:
            return f"rendered with sample {self.row} of {self.samples_file}{also}"
        kept = len(self.rows)
        sampled = f" (a seeded sample of its {self.samples_total:,} rows)" if self.samples_total > kept else ""
        return f"rendered over {kept:,} sample{'' if kept == 1 else 's'} of {self.samples_file}{sampled}{also}"


def choose_rows(variables: Mapping[str, Any], samples: Samples | None = None, samples_file: str | None = None,
                row: int | None = None) -> Rows:
    """The rows to render over: one (``--var`` alone, or ``--row``), or every sample."""
    if samples is None or samples_file is None:
        if row is not None:
            raise CostgateError("--row picks a row of --sample FILE", hint="give --sample FILE too")
        return Rows("rendered", variables)
    if row is None:
        return Rows("samples", variables, samples.rows, samples_file, samples.total)
    if samples.total > len(samples.rows):
        raise CostgateError(f"--row: {samples_file} has more rows than the sample_rows limit "
                            f"({len(samples.rows):,}), so its rows are read as a seeded sample",
                            hint="split the file, or render over all of it without --row")
    if row > len(samples.rows):
        raise CostgateError(f"--row {row}: {samples_file} has {len(samples.rows):,} sample"
                            f"{'' if len(samples.rows) == 1 else 's'}",
                            hint="rows are numbered from 1; blank lines are not samples")
    return Rows("rendered", variables, (samples.rows[row - 1],), samples_file, samples.total, row)


def rows_for(template: bool, raw: bool, variables: Sequence[str], sample: str | None, row: int | None) -> Rows:
    """What ``costgate tokens`` renders over, from its options: nothing (mode raw) with
    ``--raw`` or for text that is no template and comes without ``--var``/``--sample``;
    else the parsed ``--var`` values and the sample rows."""
    if raw and (variables or sample or row):
        raise CostgateError("--raw counts the text as it is: it takes no --var, --sample or --row",
                            hint="drop --raw to render the template with them")
    if raw or not (template or variables or sample):
        if row is not None:
            raise CostgateError("--row picks a row of --sample FILE", hint="give --sample FILE too")
        return Rows("raw", {}, asked=raw)
    return choose_rows(parse_vars(variables), None if sample is None else load_samples(sample), sample, row)


def render_texts(texts: Sequence[Template], rows: Rows, limits: WorkLimits = DEFAULT_LIMITS) -> list[tuple[str, ...]]:
    """Each template rendered for each row (``out[j][i]``: template j on row i) by the
    estimator's ``render_call``, as a call's user message with ``rows`` as its samples."""
    out = []
    label = rows.samples_file or COMMAND_LINE
    for tpl in texts:
        call = Call(name="tokens", mix=(ModelShare("tokens", Decimal(1)),), per_session=Decimal(1), user=tpl)
        spec = Spec(feature="tokens", file=tpl.file, traffic=Traffic(Decimal(1)), samples=rows.rows,
                    samples_file=label, calls=(call,), work=limits, vars=dict(rows.variables),
                    samples_total=rows.samples_total)
        try:
            rendered = render_call(spec, call, limits=limits)
        except CostgateError as exc:
            raise _for_the_command_line(exc, rows.variables) from None
        out.append(rendered.texts("user", 0))
    return out


def _for_the_command_line(exc: CostgateError, variables: Mapping[str, Any]) -> CostgateError:
    """The estimator's error with the command line's fixes: --var (and the --var name
    close to an undefined one), --raw; no "(rendering sample 1 of <command line>)"."""
    undefined = exc.message.startswith("undefined template variable")
    hint = UNDEFINED_HINT if undefined else f"{exc.hint + '; ' if exc.hint else ''}or count it as it is with --raw"
    names = sorted(variables)
    if undefined and names:
        missing = _quoted(exc.message)
        close = difflib.get_close_matches(missing, names, 1, 0.6)
        given = f"--var gave {close[0]!r}, not {missing!r}" if close else f"--var gave {', '.join(names)}"
        hint = f"{given}; {hint}"
    message = exc.message.replace(f" (rendering sample 1 of {COMMAND_LINE})", "").replace(
        f" (rendering {COMMAND_LINE})", "")
    return CostgateError(message, file=exc.location.file, line=exc.location.line, hint=hint)


def _quoted(message: str) -> str:
    found = re.search(r"'([^']*)'", message)
    return found.group(1) if found else ""


@dataclass(frozen=True)
class Stats:
    """Token counts over the rows: the estimator's nearest-rank percentiles."""

    min: int
    mean: Decimal
    """Rounded half-up to one place (JSON: a string)."""
    p50: int
    p95: int
    max: int


def stats(counts: Sequence[int]) -> Stats:
    if not counts:
        raise ValueError("no counts")
    mass = Counter(counts)
    mean = (Decimal(sum(counts)) / len(counts)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Stats(min(counts), mean, percentile(mass, Fraction(1, 2)), percentile(mass, Fraction(95, 100)),
                 max(counts))


def load_samples(path: str, limits: WorkLimits = DEFAULT_LIMITS) -> Samples:
    """``--sample FILE``: its rows as the estimator reads a spec's samples (a ``.txt`` line
    is ``{"query": line}``, a ``.jsonl`` line an object; past ``sample_rows`` a seeded
    uniform sample), at most ``sample_bytes`` of it."""
    if not path.endswith((".txt", ".jsonl")):
        raise CostgateError(f"--sample {_short(path)}: a samples file ends in .txt or .jsonl",
                            hint=".txt holds one query per line; .jsonl one object of template variables per line")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise CostgateError(f"--sample {_short(path)} is not a regular file")
        with open(path, "rb") as fh:
            data = fh.read(limits.sample_bytes + 1)
    except OSError as exc:
        raise CostgateError(f"cannot read {_short(path)}: {exc.strerror or exc}") from None
    if len(data) > limits.sample_bytes:
        raise limits.exceeded("sample_bytes", f"{path} has more than {limits.sample_bytes:,} bytes, which")
    return read_samples(data, path, limits)


@dataclass(frozen=True)
class TokenCount:
    """What ``costgate tokens`` counted, for its renderers."""

    model: str
    tokenizer: Tokenizer
    messages: bool
    """The input was a chat request (``--messages``): counts include the chat overhead."""
    counts: tuple[int, ...]
    """Tokens of the text, or of the messages as billed, on each row rendered."""
    rows: Rows
    tools: ToolCount | None = None

    @property
    def totals(self) -> tuple[int, ...]:
        """Each row's tokens with the tool definitions' (the same on every row)."""
        extra = self.tools.tokens if self.tools else 0
        return tuple(n + extra for n in self.counts)

    @property
    def exact(self) -> bool:
        return self.tokenizer.exact and (self.tools is None or self.tools.exact)


def file_template(text: str, name: str) -> Template:
    """``text`` as the template the estimator would make of file ``name``: its format by
    extension, and the files it includes read through the confined reader of the
    repository it sits in (standard input, or a file outside any repository: as is)."""
    fmt = FORMAT_BY_EXTENSION.get(PurePosixPath(name).suffix.lower(), "jinja2")
    path = Path(name)
    if name == "-" or not path.is_file():
        return Template(text, name, format=fmt)
    source = WorkTree(find_root(path.resolve().parent))
    resolved = Includes(source, []).resolve(Template(text, relative(source, path), 1, format=fmt), inline=False)
    # Named as given on the command line unless it includes files (their tree is keyed by
    # the repository path).
    return resolved if resolved.includes else Template(text, name, format=fmt)


def count_text(text: str, name: str, tok: Tokenizer, rows: Rows,
               limits: WorkLimits = DEFAULT_LIMITS) -> tuple[int, ...]:
    """Tokens of ``text`` as it is (mode raw), or rendered on each row as the estimator
    renders file ``name`` (its format, its includes)."""
    texts = (text,) if rows.mode == "raw" else render_texts([file_template(text, name)], rows, limits)[0]
    return tuple(tok.count(t) for t in texts)


def count_request(messages: Sequence[Message], name: str, tok: Tokenizer, overhead: ChatOverhead, rows: Rows,
                  limits: WorkLimits = DEFAULT_LIMITS) -> tuple[int, ...]:
    """Tokens of chat ``messages`` as billed, each message's content as it is (mode raw)
    or rendered on each row (the roles and names are never templates)."""
    if rows.mode == "raw":
        return (count_messages(tok, messages, overhead),)
    templates = [Template(m.content, f"{name} (message {j + 1})") for j, m in enumerate(messages)]
    rendered = render_texts(templates, rows, limits)
    return tuple(count_messages(tok, [replace(m, content=r[i]) for m, r in zip(messages, rendered)], overhead)
                 for i in range(len(rows.rows)))
