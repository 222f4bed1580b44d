"""`costgate diff --jobs N` (gate/runner.py): independent features estimated in worker
processes give byte for byte the report of a serial run, and the serial run's error:
the first failing spec in its order (base before head, spec path by spec path, loading
before estimating), with the same message and exit 2. ``--jobs 1`` starts no process.
The bot spec is described in test_diff.py."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from helpers import AS_OF_DATE, SPEC, commit, hello, spec_text, write

import costgate.gate.runner as runner_module
from costgate.gate.diff import diff
from costgate.gate.runner import Runner
from costgate.pricing import load_table
from costgate.repo import WorkTree
from costgate.spec import load_spec

pytestmark = pytest.mark.usefixtures("neutral_cwd")


def feature_files(name: str, tokens: int, model: str = "gpt-4o") -> dict[str, str]:
    return {f"{name}/{name}.costgate.yaml": spec_text(model, feature=name), f"{name}/prompts/system.j2": hello(tokens),
            f"{name}/queries.txt": f"question for {name}\nanother one\n"}


@pytest.fixture
def monorepo(gitrepo):
    """Six features besides the bot: some grow, one fails its gate, one is added, one removed."""
    files: dict[str, str | None] = {}
    for i, name in enumerate(("alpha", "beta", "gamma", "delta", "omega")):
        files.update(feature_files(name, 300 + 100 * i))
    root = gitrepo(files)
    write(root, {"alpha/prompts/system.j2": hello(330), "gamma/prompts/system.j2": hello(900),  # gamma fails
                 "beta/beta.costgate.yaml": spec_text("gpt-4o-mini", feature="beta"),
                 "omega/omega.costgate.yaml": None, **feature_files("zeta", 250)})
    return root


@pytest.mark.parametrize("fmt", ["markdown", "json", "table"])
def test_jobs_2_writes_the_report_of_jobs_1_byte_for_byte(monorepo, gate, fmt):
    serial = gate(monorepo, "--jobs", "1", "--no-cache", "--format", fmt)
    assert serial[0] == 1 and serial[2] == ""
    assert gate(monorepo, "--jobs", "2", "--no-cache", "--format", fmt) == serial
    assert gate(monorepo, "--jobs", "3", "--format", fmt) == serial  # cold cache
    assert gate(monorepo, "--jobs", "3", "--format", fmt) == serial  # warm


BROKEN = {  # how to break feature NAME
    "an unknown model (estimating)": lambda name: {f"{name}/{name}.costgate.yaml": spec_text("gpt-4o-mnii",
                                                                                          feature=name)},
    "a template syntax error (estimating)": lambda name: {f"{name}/prompts/system.j2": "{% if %}"},
    "an unknown key (loading)": lambda name: {f"{name}/{name}.costgate.yaml": spec_text(
        extra="retry_rat: 0.1\n", feature=name)},
}


def _break(root, name: str, how: str) -> None:
    write(root, BROKEN[how](name))


@pytest.mark.parametrize("first", sorted(BROKEN))
@pytest.mark.parametrize("second", sorted(BROKEN))
def test_the_first_failing_spec_wins_as_in_a_serial_run(monorepo, gate, first, second):
    _break(monorepo, "beta", first)
    _break(monorepo, "delta", second)
    serial = gate(monorepo, "--jobs", "1", "--no-cache")
    assert serial[0] == 2 and serial[2].startswith("error: beta/"), serial
    for jobs in ("2", "4"):
        assert gate(monorepo, "--jobs", jobs, "--no-cache") == serial
        assert gate(monorepo, "--jobs", jobs) == serial  # errors are never cached


def test_an_error_at_base_wins_over_one_at_head_and_names_the_base(gitrepo, gate):
    files = {**feature_files("alpha", 300), **feature_files("beta", 300)}
    files["beta/beta.costgate.yaml"] = spec_text("gpt-4o-mnii", feature="beta")  # broken at base
    root = gitrepo(files)
    write(root, {"alpha/alpha.costgate.yaml": spec_text("gpt-4o-mnii", feature="alpha"),  # broken at head
                 "beta/beta.costgate.yaml": spec_text(feature="beta")})
    serial = gate(root, "--jobs", "1", "--no-cache")
    assert serial[0] == 2 and "at base HEAD: unknown model 'gpt-4o-mnii'" in serial[2], serial
    assert gate(root, "--jobs", "2", "--no-cache") == serial


def test_jobs_1_starts_no_process(monorepo, gate, monkeypatch):
    def no_processes(*args, **kwargs):
        raise AssertionError("a process was started")

    monkeypatch.setattr(runner_module, "ProcessPoolExecutor", no_processes)
    monkeypatch.setattr(multiprocessing.Process, "start", no_processes)
    code, _, err = gate(monorepo, "--jobs", "1", "--no-cache")
    assert code == 1, err


def test_jobs_must_be_positive(gitrepo, gate):
    code, _, err = gate(gitrepo(), "--jobs", "0")
    assert code == 2 and "--jobs" in err


def _items(root):
    src = WorkTree(root)
    table = load_table()
    return [(load_spec(f"{n}/{n}.costgate.yaml", src), table, True) for n in ("alpha", "beta", "gamma")]


def test_a_worker_that_dies_leaves_its_work_to_this_process(monorepo, monkeypatch):
    serial = Runner(AS_OF_DATE, 1, 500).estimate_all(_items(monorepo))
    parent, real = os.getpid(), runner_module._safe

    def die_in_a_worker(*args):
        if os.getpid() != parent:
            os._exit(1)  # killed, out of memory...
        return real(*args)

    monkeypatch.setattr(runner_module, "_safe", die_in_a_worker)  # forked workers inherit it
    assert Runner(AS_OF_DATE, 1, 500, jobs=2).estimate_all(_items(monorepo)) == serial


def test_spawned_workers_give_the_same_estimates(monorepo, monkeypatch):
    serial = Runner(AS_OF_DATE, 1, 500).estimate_all(_items(monorepo))
    monkeypatch.setattr(runner_module, "_context", lambda: multiprocessing.get_context("spawn"))
    assert Runner(AS_OF_DATE, 1, 500, jobs=2).estimate_all(_items(monorepo)) == serial


def test_where_no_process_can_start_it_runs_here(monorepo, monkeypatch):
    serial = Runner(AS_OF_DATE, 1, 500).estimate_all(_items(monorepo))

    def cannot(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(runner_module, "ProcessPoolExecutor", cannot)
    assert Runner(AS_OF_DATE, 1, 500, jobs=2).estimate_all(_items(monorepo)) == serial


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_the_estimates_computed(monorepo, jobs):
    seen: list[tuple[int, int, str]] = []
    diff(monorepo, "HEAD", as_of=AS_OF_DATE, jobs=jobs, progress=lambda i, n, p: seen.append((i, n, p.as_posix())))
    # 6 unchanged or removed at base (one estimate each), 4 changed or added at head
    assert [(i, n) for i, n, _ in seen] == [(i, 10) for i in range(1, 11)]
    assert {p for _, _, p in seen} >= {"zeta/zeta.costgate.yaml", SPEC}


def test_progress_is_never_written_to_a_pipe(monorepo, gate, tmp_path):
    report = tmp_path / "report.txt"
    code, out, err = gate(monorepo, "--no-cache", "-o", report)
    assert code == 1 and err == f"wrote table report to {report} ({report.stat().st_size} bytes)\n"  # no progress


def test_the_gate_commits_nothing_and_reads_head_as_committed(monorepo, gate):
    """--head REF in parallel: the git side is read in this process, not in workers."""
    commit(monorepo, "pr")
    serial = gate(monorepo, "--base", "HEAD~1", "--head", "HEAD", "--jobs", "1", "--no-cache", "--format", "json")
    assert gate(monorepo, "--base", "HEAD~1", "--head", "HEAD", "--jobs", "2", "--no-cache", "--format",
                "json") == serial
