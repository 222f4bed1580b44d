"""Compress a prompt template's static text, never its logic.

A template interleaves static text (what Jinja2 parses into ``TemplateData``; its lexer's
``data`` tokens) and logic: tags, expressions, comments and their whitespace-control
markers. Only the static text is edited, so every byte of logic stays as written and the
compressed template parses to the same logic and renders the same words. (Editing the
whole source broke templates — a second ``{% endfor %}`` is not a repeated sentence — and
code examples, whose markers and indentation are not prose.)

What may change, and why each is safe on prose:

* a run of blank lines becomes one blank line;
* spaces and tabs at the end of a line go (the newline follows either way);
* a run of spaces after a word, inside a line, becomes one space (leading indentation is
  never touched: in YAML or Python examples it is meaning);
* only when asked (``duplicates=True``): a paragraph that repeats an earlier paragraph of
  the same static piece word for word is dropped. That can change what the prompt says — a
  repeat may be deliberate emphasis — so the lever offering it labels it medium risk.

What never changes: fenced code blocks and their fences, indented code (a tab or four
spaces) and the blank lines around it, edit blocks (``<<<<<<<`` to ``>>>>>>>``), diff
hunks, marker lines (``=======``, ``+++``, ``---``, ``@@``), XML-ish tag lines, runs of
spaces on lines with inline code, anything inside ``{% raw %}``, and whitespace at the
edge of a static piece that is not followed by a newline (it may be indentation once
rendered). The result is checked against the original: if any logic token differs by a
byte, the original is returned unchanged, so this function cannot break a template.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import jinja2

from .sandbox import BoundedSandbox

MIN_DUPLICATE_WORDS = 8
"""A repeated paragraph shorter than this is structure ("Example:", "Answer:"), not prose."""
MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "+++", "---", "@@")
"""Line starts of merge, edit-block and diff markers: a model reads them byte for byte."""
_NEWLINE = re.compile(r"\r\n|\r|\n")  # Jinja2's own newline rule
_SPACE_RUN = re.compile(r"(?<=\S) {2,}")
_FENCE = re.compile(r"`{3,}|~{3,}")
Span = tuple[int, int]


@dataclass(frozen=True)
class Removal:
    """What a compression removed, by kind: what the lever shows before anyone applies it."""

    blank_runs: int = 0
    """Runs of two or more blank lines, each collapsed to one."""
    trailing: int = 0
    """Lines whose trailing spaces or tabs were stripped."""
    space_runs: int = 0
    """Runs of spaces inside a line, each collapsed to one space."""
    duplicates: tuple[tuple[int, int], ...] = ()
    """(first, last) file line of each paragraph dropped as a repeat of an earlier one."""

    @property
    def whitespace_only(self) -> bool:
        return not self.duplicates

    def describe(self) -> str:
        """In words, with counts by kind and the file lines of any dropped paragraph."""
        parts = []
        if self.blank_runs:
            parts.append(f"collapses {_count(self.blank_runs, 'run')} of blank lines")
        if self.trailing:
            parts.append(f"strips trailing spaces on {_count(self.trailing, 'line')}")
        if self.space_runs:
            parts.append(f"collapses {_count(self.space_runs, 'run')} of spaces inside lines")
        if self.duplicates:
            where = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in self.duplicates)
            noun = "line" if len(self.duplicates) == 1 and self.duplicates[0][0] == self.duplicates[0][1] else "lines"
            parts.append(f"removes {_count(len(self.duplicates), 'repeated paragraph')} ({noun} {where})")
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class Compressed:
    """A template's text after compression, and what was removed from it."""

    text: str
    removal: Removal = field(default_factory=Removal)

    @property
    def changed(self) -> bool:
        return self.removal != Removal()


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    """The content is ``[start, end)``; its newline ``[end, stop)`` (empty on a last line without one)."""
    stop: int
    pieces: tuple[Span, ...]
    """The parts of static pieces within ``[start, stop)``."""
    piece: int | None
    """The static piece holding the whole line and its newline, if one does."""
    visible: str
    """The static text of the content, logic left out: what the line shows a model."""


def compress(text: str, *, duplicates: bool = False, first_line: int = 1) -> Compressed:
    """``text`` with its static text compressed (see the module docstring). ``first_line``
    is the file line ``text`` starts on, for the line numbers of dropped paragraphs. Never
    raises on any string: text Jinja2 cannot parse comes back unchanged."""
    unchanged = Compressed(text)
    spans = _static_spans(text)
    if not spans or not _parses(text):
        return unchanged
    lines = _lines(text, spans)
    guarded, code = _classify(lines)
    dropped: set[int] = set()
    paragraphs: list[tuple[int, int]] = []
    if duplicates:
        paragraphs = _repeats(text, lines, guarded)
        dropped = {k for i, j in paragraphs for k in range(i - 1, j + 1)}  # with the blank line before it
    runs = _blank_runs(text, lines, guarded, code, dropped)
    dropped |= {k for run in runs for k in run[1:]}
    edits = [(lines[k].start, lines[k].stop, "") for k in sorted(dropped)]
    trailing = space_runs = 0
    for k, line in enumerate(lines):
        if k in dropped or guarded[k]:
            continue
        line_edits, stripped = _inline_edits(text, line)
        edits += line_edits
        trailing += stripped
        space_runs += len(line_edits) - stripped
    new = _apply(text, edits)
    if new == text or _logic(new) != _logic(text):
        return unchanged
    found = tuple((first_line + i, first_line + j) for i, j in paragraphs)
    return Compressed(new, Removal(len(runs), trailing, space_runs, found))


@functools.cache
def _lexer_env() -> BoundedSandbox:
    """The sandbox: the same delimiters and whitespace rules the estimate renders with."""
    return BoundedSandbox()


def _lexer() -> Any:
    return _lexer_env().lexer


def _tokens(text: str) -> list[tuple[int, str, str]] | None:
    try:
        return list(_lexer().tokeniter(text, None))
    except (jinja2.TemplateError, RecursionError):
        return None


def _logic(text: str) -> list[tuple[str, str]] | None:
    """Every token but static text, byte for byte (``raw`` content counts as logic): what
    compression must leave alone."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    out, raw = [], False
    for _, kind, value in tokens:
        raw = kind == "raw_begin" or (raw and kind != "raw_end")
        out.append(("data", "") if kind == "data" and not raw else (kind, value))
    return out


def _parses(text: str) -> bool:
    try:
        _lexer_env().parse(text)
    except (jinja2.TemplateError, RecursionError):
        return False
    return True


def _static_spans(text: str) -> list[Span] | None:
    """Where in ``text`` each static piece lies. The lexer yields values, not offsets, so
    the tokens are walked along the source: between tokens only whitespace is missing
    (what ``{%-`` strips, and the final newline Jinja2 drops), and the lexer's newlines
    stand for the source's ``\\r\\n``, ``\\r`` or ``\\n``. None when the walk fails."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    spans: list[Span] = []
    pos, raw = 0, False
    for _, kind, value in tokens:
        end = _match(text, pos, value)
        while end is None and pos < len(text) and text[pos].isspace():
            pos += 1
            end = _match(text, pos, value)
        if end is None:
            return None
        raw = kind == "raw_begin" or (raw and kind != "raw_end")
        if kind == "data" and not raw:
            spans.append((pos, end))
        pos = end
    if spans and text[spans[-1][1]:] in ("\n", "\r\n", "\r"):
        spans[-1] = (spans[-1][0], len(text))  # the final newline Jinja2 drops belongs to the last line
    return spans


def _match(text: str, pos: int, value: str) -> int | None:
    """Where ``value`` ends if ``text`` holds it at ``pos`` (a ``\\n`` of the lexer's
    matching any newline of the source), else None."""
    if text.startswith(value, pos):
        return pos + len(value)
    i = pos
    for ch in value:
        if ch == "\n" and text.startswith("\r\n", i):
            i += 2
        elif i < len(text) and (text[i] == ch or (ch == "\n" and text[i] == "\r")):
            i += 1
        else:
            return None
    return i


def _lines(text: str, spans: list[Span]) -> list[_Line]:
    bounds = []
    start = 0
    for m in _NEWLINE.finditer(text):
        bounds.append((start, m.start(), m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text), len(text)))
    lines, k = [], 0
    for start, end, stop in bounds:
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        j, pieces, whole = k, [], None
        while j < len(spans) and spans[j][0] < stop:
            a, b = spans[j]
            pieces.append((max(a, start), min(b, stop)))
            if a <= start and stop <= b:
                whole = j
            j += 1
        visible = "".join(text[max(a, start):min(b, end)] for a, b in pieces)
        lines.append(_Line(start, end, stop, tuple(pieces), whole, visible))
    return lines


def _classify(lines: list[_Line]) -> tuple[list[bool], list[bool]]:
    """(guarded, indented code) for each line. Guarded lines are never edited: code
    (fenced or indented), edit blocks, diff hunks, marker lines and XML-ish tag lines.
    Judged on the visible text, so a fence after a tag (``{% if %}````) still counts."""
    guarded, code = [], []
    fence = ""  # the opening fence while inside a fenced block
    edit = diff = False
    for line in lines:
        v = line.visible
        s = v.strip()
        indented = bool(s) and v.startswith(("\t", "    "))
        code.append(indented)
        if fence:
            guarded.append(True)
            if s.startswith(fence) and not s.strip(fence[0]):
                fence = ""
            continue
        if edit or s.startswith("<<<<<<<"):
            edit = not (edit and s.startswith(">>>>>>>"))
            guarded.append(True)
            continue
        opening = _FENCE.match(s)
        if opening:
            fence = opening.group()
            guarded.append(True)
            continue
        if diff and (not s or v[:1] in " +-\\"):
            guarded.append(True)
            continue
        diff = s.startswith("@@")
        guarded.append(diff or s.startswith(MARKERS) or (s.startswith("<") and s.endswith(">")) or indented)
    return guarded, code


def _blank(line: _Line, text: str) -> bool:
    """A line of nothing but spaces and tabs, wholly inside one static piece."""
    return line.piece is not None and not text[line.start:line.end].strip(" \t")


def _repeats(text: str, lines: list[_Line], guarded: list[bool]) -> list[tuple[int, int]]:
    """(first, last) line index of each paragraph that repeats an earlier one: prose lines
    of one static piece with a blank line of the same piece before and after (or the end
    of the text), at least ``MIN_DUPLICATE_WORDS`` words, equal to an earlier such
    paragraph of the same piece once whitespace inside lines is ignored. The same piece
    only: a repeat across a tag may sit in another branch or loop, where dropping it
    would remove words from what renders."""
    def prose(k: int) -> bool:
        return lines[k].piece is not None and not guarded[k] and bool(lines[k].visible.strip())

    def edge(k: int, piece: int | None) -> bool:
        """Line ``k`` bounds a paragraph of ``piece``: past the text's end, or blank in the same piece."""
        return k == len(lines) or (_blank(lines[k], text) and not guarded[k] and lines[k].piece == piece)

    seen: set[tuple[int | None, tuple[str, ...]]] = set()
    found, i = [], 0
    while i < len(lines):
        if not prose(i):
            i += 1
            continue
        j, piece = i, lines[i].piece
        while j + 1 < len(lines) and prose(j + 1) and lines[j + 1].piece == piece:
            j += 1
        body = tuple(_normal(text[lines[k].start:lines[k].end]) for k in range(i, j + 1))
        if (i == 0 or edge(i - 1, piece)) and edge(j + 1, piece) and \
                sum(len(t.split()) for t in body) >= MIN_DUPLICATE_WORDS:
            if (piece, body) in seen:
                found.append((i, j))
            seen.add((piece, body))
        i = j + 1
    return found


def _normal(line: str) -> str:
    """A line with its indentation kept and its other whitespace squeezed."""
    body = line.lstrip(" \t")
    return line[:len(line) - len(body)] + " ".join(body.split())


def _blank_runs(text: str, lines: list[_Line], guarded: list[bool], code: list[bool],
                dropped: set[int]) -> list[list[int]]:
    """Runs of two or more kept blank lines outside guarded text, except those next to
    indented code (blank lines are part of an indented code block)."""
    kept = [k for k in range(len(lines)) if k not in dropped]
    runs: list[list[int]] = [[]]
    for pos, k in enumerate(kept):
        if _blank(lines[k], text) and not guarded[k]:
            runs[-1].append(pos)
        elif runs[-1]:
            runs.append([])

    def near_code(run: list[int]) -> bool:
        return (run[0] > 0 and code[kept[run[0] - 1]]) or (run[-1] + 1 < len(kept) and code[kept[run[-1] + 1]])

    return [[kept[p] for p in run] for run in runs if len(run) > 1 and not near_code(run)]


def _inline_edits(text: str, line: _Line) -> tuple[list[tuple[int, int, str]], int]:
    """Edits inside one kept, unguarded line, and 1 if one of them strips its trailing
    whitespace. Runs of spaces collapse only after a non-space of the same piece (never
    indentation, never whitespace a tag's output may follow) and not on lines with inline
    code. Trailing whitespace goes only when one piece holds it, the newline after it and
    something before it (text, or the newline before): right after a tag it may end a
    rendered line that is not this one (``<tag>{# c #}   ``)."""
    content = text[line.start:line.end]
    tail = line.start + len(content.rstrip(" \t"))
    edits = []
    stripped = 0
    holds = any(a <= tail and line.stop <= b and (a < tail or tail == 0) for a, b in line.pieces)
    if tail < line.end and holds:
        edits.append((tail, line.end, ""))
        stripped = 1
    if "`" not in line.visible:
        for a, b in line.pieces:
            end = min(b, tail)
            for m in _SPACE_RUN.finditer(text[a:end] if a < end else ""):
                edits.append((a + m.start(), a + m.end(), " "))
    return edits, stripped


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for a, b, new in sorted(edits):
        out.append(text[pos:a])
        out.append(new)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


__all__ = ["compress", "Compressed", "Removal", "MIN_DUPLICATE_WORDS", "MARKERS"]
