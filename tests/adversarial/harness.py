"""The adversarial suite's harness: hostile cases as data, one runner, one set of checks.

A ``Case`` is one hostile input: the files of a throwaway repository (and, for the gate,
its git history), the command line, the exit code and a message the output must contain.
``run_case`` builds it under ``tmp_path``, runs costgate (in-process through
``costgate.cli.main``, or in a child process for the resource-exhaustion cases) under a
3 GiB address-space cap and a wall-clock timeout, and checks, for every case:

1. the exit code (never 3, the "bug" code; never a hang);
2. the expected message (for exit 2: stderr starts with ``error:``);
3. the canary: a secret in files OUTSIDE the repository (``tmp_path/outside``), which
   hostile inputs point at through paths and symlinks, never appears in stdout, stderr
   or any file the command wrote;
4. nothing was written outside what the case allows (the listing of ``tmp_path``'s
   parent, ``tmp_path``'s own tree outside ``.git``, ``$HOME`` and this checkout);
5. no line of any output can act as a GitHub workflow command (``::cmd::``, ``##[``)
   unless it is one of costgate's own annotations, and no raw control characters
   (ESC, CR, ...) reach a terminal or a CI log; for ``--format markdown``, no HTML,
   mention, link or broken table row outside code spans.

Placeholders usable in file contents, link targets, argv and env values: ``@TMP@``
(tmp_path), ``@REPO@`` (the repository), ``@OUT@`` (the outside directory),
``@CANARY@`` (the outside canary file).

The tables are ``cases_outside`` (A, reading outside the repository), ``cases_bypass``
(B), ``cases_injection`` (C), ``cases_exhaustion`` (D), ``cases_crashes`` (E) and
``cases_git`` (F); ``test_cases`` runs them all, ``known_failures.KNOWN`` marks the ones
costgate fails today as strict xfails, ``test_catalog`` checks the tables and these
checkers, ``test_fuzz`` generates more.

The wall-clock timeout is a watchdog thread signalling the main thread (SIGUSR1), not
ITIMER_REAL: costgate's render timer arms and clears ITIMER_REAL/SIGALRM inside a case.
Cases that could exhaust the machine if a bound were missing run in a child process
(``child=True``: ``python -m costgate`` under RLIMIT_AS, reporting its peak memory).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pytest
from helpers import AS_OF, QUERIES, ROOT, commit, git, hello, init_repo, run_costgate

# ----------------------------------------------------------------------------- canary

SECRET = "CANARY-7f3a9c-do-not-leak"
LEAK = re.compile(r"canary[-_]7f3a9c", re.IGNORECASE)
"""The secret, or the identifier a template reading it would name in an error."""
CANARY_TEXT = f"{SECRET} {{{{ CANARY_7f3a9c_do_not_leak }}}}\n"
"""Read as a template it names an undefined variable; as YAML it is a string a loader
would quote in "must be a mapping, got string ...": either way a read shows."""

OUTSIDE_SPEC = f"""\
version: 1
feature: canary-7f3a9c-do-not-leak
description: {SECRET}
traffic: {{sessions_per_day: 1}}
samples: {{file: canary-queries.txt}}
calls:
  - name: answer
    model: gpt-4o
    per_session: 1
    system: "{SECRET}"
    user: "{{{{ query }}}}"
"""
OUTSIDE_PRICES = f"""\
schema_version: 1
provider: openai
name: {SECRET}
source: https://canary.example/pricing
models:
  - id: gpt-4o
    name: {SECRET}
    tokenizer: o200k_base
    checked: 2026-11-01
    prices:
      - since: 2020-01-01
        input: "0"
        output: "0"
"""
OUTSIDE_CONFIG = f"""\
# {SECRET}
specs: ["**/*"]
thresholds:
  system_prompt_growth: {{percent: 1000000, tokens: 100000000}}
  monthly_cost_increase: {{percent: 1000000, usd: 100000000}}
  new_feature: {{system_prompt_tokens: 100000000, monthly_usd: 100000000}}
"""
OUTSIDE_FILES = {
    "canary.txt": CANARY_TEXT,
    "canary.j2": CANARY_TEXT,
    "canary.jsonl": f'{{"query": "{SECRET}"}}\n',
    "canary-queries.txt": f"{SECRET}\n",
    "canary.costgate.yaml": OUTSIDE_SPEC,
    "costgate.yaml": OUTSIDE_CONFIG,
    "pricing/openai.yaml": OUTSIDE_PRICES,
    "openai.yaml": OUTSIDE_PRICES,
    "prompts/system.j2": CANARY_TEXT,
    "prompts/canary.j2": CANARY_TEXT,
}

# ------------------------------------------------------------------- file tree values


@dataclass(frozen=True)
class Link:
    """A symlink to ``target`` (placeholders allowed; relative targets stay relative)."""

    target: str


@dataclass(frozen=True)
class Fifo:
    """A named pipe (``os.mkfifo``): opening it for reading blocks without a writer."""


@dataclass(frozen=True)
class Sock:
    """A bound Unix socket file."""


@dataclass(frozen=True)
class Dir:
    """An empty directory."""


@dataclass(frozen=True)
class Lazy:
    """Content made when the case is built (big inputs are not kept in the case table)."""

    make: Callable[[], str | bytes]
    label: str = "generated"

    def __repr__(self) -> str:
        return f"Lazy({self.label})"


Content = Any  # str | bytes | None | Link | Fifo | Sock | Dir | Lazy


@dataclass(frozen=True)
class Case:
    """One hostile input and what costgate must answer."""

    id: str
    argv: tuple[str, ...]
    exit: int
    expect: str
    """A substring of stdout + stderr, or a regex when it starts with ``re:``."""
    files: Mapping[str, Content] = field(default_factory=dict)
    """Written into the repository's work tree (for git cases: the head, after the base commit)."""
    base: Mapping[str, Content] | None = None
    """Set: the repository is a git repository whose first commit holds these files."""
    commit_head: bool = False
    """Git: commit ``files`` as a second commit (the pull request's head)."""
    stage: bool = False
    """Git: stage ``files`` (``git add -A``) without committing."""
    setup: Callable[[Ctx], None] | None = None
    """Extra hostile setup after files and commits (gitlinks, checkouts with attributes)."""
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str = "@TMP@/cwd"
    writes: tuple[str, ...] = ()
    """``tmp_path``-relative paths the command may create or change (its report, init's files)."""
    usage: bool = False
    """Exit 2 comes from click's option parsing (``Usage: ... Error: ...``), not ``error:``."""
    child: bool = False
    """Run ``python -m costgate`` in a child process (resource exhaustion): slow."""
    timeout: float = 30
    note: str = ""
    xfail: str | None = None
    """What costgate does today instead (a strict xfail: remove it once fixed). The tables keep
    these in known_failures.KNOWN, one list for whoever fixes them."""
    check: Callable[[Result], None] | None = None
    """An extra assertion on the result."""

    def param(self, known: Mapping[str, str] | None = None) -> Any:
        """The case as a pytest parameter: slow in a child process, a strict xfail when ``known``
        (known_failures.KNOWN) or the case itself says what goes wrong today."""
        marks: list[Any] = []
        if self.child:
            marks.append(pytest.mark.slow)
        reason = self.xfail or (known or {}).get(self.id)
        if reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        return pytest.param(self, id=self.id, marks=marks)


@dataclass
class Ctx:
    tmp: Path
    repo: Path
    outside: Path
    canary: Path

    def sub(self, text: str) -> str:
        return (text.replace("@TMP@", str(self.tmp)).replace("@REPO@", str(self.repo))
                .replace("@OUT@", str(self.outside)).replace("@CANARY@", str(self.canary)))


@dataclass
class Result:
    code: int | str
    """The exit code, or "timeout" / "crash: <exception>" when main() did not return."""
    out: str
    err: str
    seconds: float
    peak_mb: float | None = None
    """Peak resident memory of a child-process run."""
    written: dict[str, str] = field(default_factory=dict)
    """Text of the files the command created or changed, by tmp-relative path."""

    @property
    def text(self) -> str:
        return self.out + self.err


# ------------------------------------------------------------------------------ build

def write_tree(root: Path, files: Mapping[str, Content], ctx: Ctx) -> None:
    for rel, value in files.items():
        p = root / rel
        if value is None:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.is_symlink() or p.is_file() or p.is_fifo() or p.is_socket():
            p.unlink()
        elif p.is_dir() and not isinstance(value, Dir):
            shutil.rmtree(p)
        if isinstance(value, Lazy):
            value = value.make()
        if isinstance(value, Link):
            os.symlink(ctx.sub(value.target), p)
        elif isinstance(value, Fifo):
            os.mkfifo(p)
        elif isinstance(value, Sock):
            s = socket.socket(socket.AF_UNIX)
            s.bind(str(p))
            s.close()
        elif isinstance(value, Dir):
            p.mkdir(exist_ok=True)
        elif isinstance(value, bytes):
            p.write_bytes(value)
        else:
            p.write_bytes(ctx.sub(value).encode("utf-8", "surrogatepass"))


def build(case: Case, tmp: Path) -> Ctx:
    outside = tmp / "outside"
    ctx = Ctx(tmp=tmp, repo=tmp / "repo", outside=outside, canary=outside / "canary.txt")
    write_tree(outside, OUTSIDE_FILES, ctx)
    (tmp / "cwd").mkdir()
    if case.base is not None:
        init_repo(ctx.repo)
        write_tree(ctx.repo, case.base, ctx)
        commit(ctx.repo, "base")
        write_tree(ctx.repo, case.files, ctx)
        if case.commit_head:
            commit(ctx.repo, "head")
        elif case.stage:
            git(ctx.repo, "add", "-A")
    else:
        (ctx.repo / ".git").mkdir(parents=True)
        write_tree(ctx.repo, case.files, ctx)
    if case.setup is not None:
        case.setup(ctx)
    return ctx


# -------------------------------------------------------------------------------- run

MEMORY_CAP = 3 * 1024 ** 3


class CaseTimeout(BaseException):
    """Raised in the main thread by the watchdog (a BaseException: main() must not catch it)."""


@contextlib.contextmanager
def memory_cap():
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = MEMORY_CAP if hard == resource.RLIM_INFINITY else min(MEMORY_CAP, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def watchdog(seconds: float):
    """Interrupt the main thread after ``seconds`` of wall time. A thread and SIGUSR1
    rather than ITIMER_REAL, because costgate's own render timer re-arms (and clears)
    ITIMER_REAL/SIGALRM inside a case. A blocking system call (opening a FIFO) is
    interrupted too; a single long C call is interrupted when it returns."""
    done = threading.Event()
    fired = []
    main = threading.main_thread().ident

    def handler(signum, frame):
        if not done.is_set():
            raise CaseTimeout(f"no answer within {seconds} s")

    def watch():
        if done.wait(seconds):
            return
        while not done.is_set():
            fired.append(time.monotonic())
            signal.pthread_kill(main, signal.SIGUSR1)
            done.wait(1)

    previous = signal.signal(signal.SIGUSR1, handler)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        signal.signal(signal.SIGUSR1, previous)


def _limit_child() -> None:  # runs in the child between fork and exec
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP if hard == resource.RLIM_INFINITY else min(MEMORY_CAP, hard),
                                            hard))


def execute(case: Case, ctx: Ctx) -> Result:
    argv = [ctx.sub(a) for a in case.argv]
    cwd = Path(ctx.sub(case.cwd))
    start = time.monotonic()
    if case.child:
        env = {**os.environ, **{k: ctx.sub(v) for k, v in case.env.items()}}
        try:
            proc = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, cwd=cwd, env=env,
                                  timeout=case.timeout, preexec_fn=_limit_child, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            return Result("timeout", _text(exc.stdout), _text(exc.stderr), time.monotonic() - start)
        err, peak = _peak(_text(proc.stderr))
        return Result(proc.returncode, _text(proc.stdout), err, time.monotonic() - start, peak_mb=peak)
    old_cwd = os.getcwd()
    old_env = {k: os.environ.get(k) for k in case.env}
    os.environ.update({k: ctx.sub(v) for k, v in case.env.items()})
    os.chdir(cwd)
    try:
        with memory_cap(), watchdog(case.timeout):
            code, out, err = run_costgate(*argv)
        return Result(code, out, err, time.monotonic() - start)
    except CaseTimeout as exc:
        return Result("timeout", "", str(exc), time.monotonic() - start)
    except BaseException as exc:  # noqa: B036 - a panic or SystemExit escaping main() is a crash too
        if isinstance(exc, KeyboardInterrupt):
            raise
        return Result(f"crash: {type(exc).__name__}", "", repr(exc), time.monotonic() - start)
    finally:
        os.chdir(old_cwd)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


CHILD = """\
import resource, runpy, sys
try:
    runpy.run_module("costgate", run_name="__main__", alter_sys=True)
finally:
    sys.stderr.write("\\n@@peak-kb=%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
"""``python -m costgate`` that reports its peak resident memory on its last stderr line."""


def _peak(err: str) -> tuple[str, float | None]:
    text, sep, tail = err.rpartition("\n@@peak-kb=")
    if not sep:
        return err, None
    return text, int(tail.strip()) / 1024


def peak_below(mb: float) -> Callable[[Result], None]:
    """A check: the child process never held more than ``mb`` MB (nothing huge was built)."""
    def check(result: Result) -> None:
        assert result.peak_mb is not None and result.peak_mb < mb, (
            f"peak memory {result.peak_mb:.0f} MB, over {mb} MB: the value was built before it was refused")
    return check


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


# ------------------------------------------------------------------------- snapshots

def snapshot(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """Every entry under ``root`` (not following symlinks) with its kind, size and mtime."""
    out: dict[str, tuple] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in dirnames + filenames:
            p = here / name
            st = os.lstat(p)
            rel = p.relative_to(root).as_posix()
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isdir(p) and not os.path.islink(p):
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", st.st_size, st.st_mtime_ns)
    return out


@dataclass
class Snapshots:
    siblings: set[str]
    tree: dict[str, tuple]
    home: dict[str, tuple]
    checkout: set[str]


def take(ctx: Ctx) -> Snapshots:
    home = Path(os.environ["HOME"])
    return Snapshots(siblings=set(os.listdir(ctx.tmp.parent)),
                     tree=snapshot(ctx.tmp, skip=(ctx.repo / ".git",)),
                     home=snapshot(home), checkout=set(os.listdir(ROOT)))


# ----------------------------------------------------------------------------- checks

ANNOTATION = re.compile(r"::(error|warning) [^\n]*title=costgate")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ALLOWED_TAGS = {"details", "summary", "code", "sub"}
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")


def log_problems(text: str, where: str) -> list[str]:
    """Workflow-command lines and raw control characters in one output."""
    problems = []
    bad = CONTROL.search(text)
    if bad:
        problems.append(f"{where}: raw control character {bad.group()!r} at {bad.start()}: "
                        f"{text[max(0, bad.start() - 40):bad.start() + 40]!r}")
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("::") and not ANNOTATION.match(stripped):
            problems.append(f"{where}: a line acts as a workflow command: {line[:120]!r}")
        if stripped.startswith("##["):
            problems.append(f"{where}: a line acts as a logging command: {line[:120]!r}")
    return problems


def markdown_problems(text: str) -> list[str]:
    """HTML, mentions, links and broken table rows outside code spans."""
    problems = []
    prose = "\n".join(CODE_SPAN.sub("", line) for line in text.split("\n"))
    prose = prose.replace("<!-- costgate-report -->", "")
    for m in re.finditer(r"(?<!\\)<(/?)([A-Za-z][A-Za-z0-9-]*)", prose):
        if m.group(2).lower() not in ALLOWED_TAGS:
            problems.append(f"markdown: raw HTML tag {prose[m.start():m.start() + 40]!r}")
    if "<!--" in prose:
        problems.append("markdown: an HTML comment besides costgate's marker")
    for tag in ("details", "summary", "code", "sub"):
        if len(re.findall(rf"<{tag}\b", prose)) != len(re.findall(rf"</{tag}>", prose)):
            problems.append(f"markdown: unbalanced <{tag}>")
    for m in re.finditer(r"(?<![\\\w])@(?=[A-Za-z0-9_])", prose):
        problems.append(f"markdown: a live mention {prose[m.start():m.start() + 30]!r}")
    if re.search(r"(?<!\\)\]\(", prose):
        problems.append("markdown: a link or image")
    table: list[int] = []
    for line in text.split("\n") + [""]:
        if line.startswith("|"):
            table.append(len(re.findall(r"(?<!\\)\|", line)))
            continue
        if table and len(set(table)) > 1:
            problems.append(f"markdown: a table row with extra cells ({table})")
        table = []
    return problems


def _matches(expect: str, text: str) -> bool:
    if expect.startswith("re:"):
        return re.search(expect[3:], text) is not None
    return expect in text


def verify(case: Case, ctx: Ctx, result: Result, before: Snapshots) -> None:
    problems: list[str] = []
    where = f"[{case.id}] exit {result.code} in {result.seconds:.1f} s"
    if result.code != case.exit:
        problems.append(f"exit code {result.code}, expected {case.exit}")
    if not _matches(case.expect, result.text):
        problems.append(f"the output does not contain {case.expect!r}")
    if "Traceback" in result.text or "costgate crashed" in result.text or "panicked" in result.text:
        problems.append("a crash or traceback in the output")
    if case.exit == 2 and result.code == 2:
        err = result.err
        if case.usage:
            if "Error:" not in err:
                problems.append("a usage error without click's 'Error:' line")
        elif not err.startswith("error: "):
            problems.append(f"stderr does not start with 'error: ': {err[:200]!r}")
    after = take(ctx)
    allowed = {ctx.sub(w) for w in case.writes}
    allowed_rel = {str(Path(w).relative_to(ctx.tmp)) if Path(w).is_absolute() else w for w in allowed}
    changed = {k for k in set(before.tree) | set(after.tree) if before.tree.get(k) != after.tree.get(k)}
    unexpected = sorted(k for k in changed
                        if not any(k == a or k.startswith(a.rstrip("/") + "/") or a.startswith(k + "/")
                                   for a in allowed_rel))
    if unexpected:
        problems.append(f"files changed outside what the case allows: {unexpected[:10]}")
    if after.siblings != before.siblings:
        problems.append(f"new entries next to tmp_path: {sorted(after.siblings ^ before.siblings)}")
    if after.home != before.home:
        problems.append(f"$HOME changed: {sorted(set(after.home) ^ set(before.home))[:10]}")
    if after.checkout != before.checkout:
        problems.append(f"the checkout changed: {sorted(after.checkout ^ before.checkout)}")
    for rel in sorted(changed):
        p = ctx.tmp / rel
        if p.is_file() and not p.is_symlink() and p.stat().st_size < 20_000_000:
            result.written[rel] = p.read_text("utf-8", "replace")
    outputs = {"stdout": result.out, "stderr": result.err, **result.written}
    for name, text in outputs.items():
        if LEAK.search(text):
            problems.append(f"the canary leaked into {name}: {text[max(0, LEAK.search(text).start() - 80):][:200]!r}")
        problems += log_problems(text, name)
    markdown = "markdown" in case.argv and any(a == "--format" for a in case.argv)
    if markdown:
        reports = [t for n, t in result.written.items()] or [result.out]
        for text in reports:
            problems += markdown_problems(text)
    if case.check is not None and not problems:
        try:
            case.check(result)
        except AssertionError as exc:
            problems.append(f"check: {exc}")
    assert not problems, (where + "\n  " + "\n  ".join(problems) + "\n--- stdout ---\n" + result.out[:3000]
                          + "\n--- stderr ---\n" + result.err[:3000])


def run_case(case: Case, tmp: Path) -> Result:
    ctx = build(case, tmp)
    before = take(ctx)
    result = execute(case, ctx)
    verify(case, ctx, result, before)
    return result


# ------------------------------------------------------------------ case-table helpers

SPEC = "bot.costgate.yaml"
ESTIMATE = ("estimate", "@REPO@/bot.costgate.yaml", "--as-of", AS_OF, "--no-alternatives")
DIFF = ("diff", "-C", "@REPO@", "--base", "HEAD", "--as-of", AS_OF)
PR = ("diff", "-C", "@REPO@", "--base", "HEAD~1", "--as-of", AS_OF)
"""A committed pull request: base is the first commit, head the working tree (= HEAD)."""
PR_REFS = ("diff", "-C", "@REPO@", "--base", "HEAD~1", "--head", "HEAD", "--as-of", AS_OF)
"""A committed pull request read from git on both sides."""


def spec(*, system: str | None = "{file: prompts/system.j2}", user: str = '"{{ query }}"',
         samples: str = "{file: queries.txt}", model: str = "gpt-4o", feature: str = "bot", name: str = "answer",
         per_session: str = "1", output: str = "10", traffic: str = "{sessions_per_day: 1000}",
         context: str | None = None, call: str = "", top: str = "", model_line: str | None = None) -> str:
    """A one-call spec; each argument is the YAML text of its value. ``call`` adds lines to
    the call (indent them by 4), ``top`` adds top-level lines."""
    lines = ["version: 1", f"feature: {feature}", f"traffic: {traffic}", f"samples: {samples}", "calls:",
             f"  - name: {name}", model_line if model_line is not None else f"    model: {model}",
             f"    per_session: {per_session}"]
    if system is not None:
        lines.append(f"    system: {system}")
    if context is not None:
        lines.append(f"    context: {context}")
    lines += [f"    user: {user}", f"    output_tokens: {output}"]
    if call:
        lines.append(call.rstrip("\n"))
    if top:
        lines.append(top.rstrip("\n"))
    return "\n".join(lines) + "\n"


def files(extra: Mapping[str, Content] | None = None, *, spec_text: str | None = None,
          prompt: Content = None) -> dict[str, Content]:
    """The sane repository: bot.costgate.yaml, queries.txt, prompts/system.j2 (50 tokens),
    with ``spec_text``, ``prompt`` and ``extra`` (path -> content; None deletes) applied."""
    out: dict[str, Content] = {SPEC: spec() if spec_text is None else spec_text, "queries.txt": QUERIES,
                               "prompts/system.j2": hello(50) if prompt is None else prompt}
    for k, v in (extra or {}).items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def gate_base(extra: Mapping[str, Content] | None = None, tokens: int = 200) -> dict[str, Content]:
    """The gate's base commit: the bot spec with a ``tokens``-token system prompt."""
    return files(extra, prompt=hello(tokens))


GROWTH = r"re:system prompt of \S+ grew from"
"""The system_prompt_growth crossing, in every format."""
GROWN = hello(4000)
"""The pull request's system prompt: 20x the base's 200 tokens."""


def prices_file(*models: str, input: str = "2.50", output: str = "10.00", provider: str = "openai",
                name: str = "Override", tokenizer: str = "o200k_base", checked: str = "2026-11-01") -> str:
    """A valid price layer file (``<provider>.yaml``) pricing ``models`` at ``input``/``output``."""
    body = "".join(f"""\
  - id: {json.dumps(m)}
    name: {json.dumps(m)}
    tokenizer: {tokenizer}
    checked: {checked}
    prices:
      - since: 2020-01-01
        input: "{input}"
        output: "{output}"
""" for m in models)
    return (f"schema_version: 1\nprovider: {provider}\nname: {json.dumps(name)}\nsource: https://example.com/pricing\n"
            f"models:\n{body}")
