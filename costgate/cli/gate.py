"""``costgate diff`` and ``costgate check``: the pull-request gate."""

from __future__ import annotations

from pathlib import Path

import click

from .options import EXIT_GATE, EXIT_OK, emit, gate_options, open_cache, parse_day, progress, say, table_width


def run_gate(base, head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir, no_cache,
             repo, fetch_base=False, summary_output=None, wide=False) -> int:
    """The gate, and when it cannot run (bad input, exit 2; a bug, exit 3) a report that
    says so: written to ``--output`` for ``--format markdown`` (the sticky comment and job
    summary must not keep an earlier verdict) and an ``::error`` annotation at the error's
    file and line. The error itself is then raised to ``main`` as before."""
    show = _annotating(annotations)
    try:
        return _gate(base, head, config, fmt, output, quiet, show, as_of, seed, jobs, cache_dir, no_cache, repo,
                     fetch_base, summary_output, wide)
    except Exception as exc:
        _report_failure(exc, fmt, output, show, summary_output)
        raise


def _annotating(annotations: bool | None) -> bool:
    """--annotations, --no-annotations, or (neither) whether the job runs on GitHub Actions."""
    from ..gate.ci import in_github_actions

    return annotations if annotations is not None else in_github_actions()


def _report_failure(exc: Exception, fmt: str, output: str | None, show: bool, summary_output: str | None) -> None:
    from ..errors import CostgateError
    from ..report.failure import Failure, failure_annotation, failure_markdown
    from ..report.gate import MARKER

    if isinstance(exc, CostgateError):
        failure = Failure("input", exc.message, exc.location.file, exc.location.line, exc.hint)
    elif isinstance(exc, (MemoryError, RecursionError)) or (isinstance(exc, ValueError) and "null byte" in str(exc)):
        failure = Failure("input", "the input is larger or deeper than costgate can handle",
                          hint="see docs/limits.md for the bounds and how to raise them")
    else:
        failure = Failure("bug", type(exc).__name__)
    for path in ([output] if fmt == "markdown" and output else []) + ([summary_output] if summary_output else []):
        try:
            emit(failure_markdown(failure, MARKER), path)
        except Exception:  # the original error is what gets reported
            pass
    if show:
        click.echo(failure_annotation(failure))


def _gate(base, head, config, fmt, output, quiet, show, as_of, seed, jobs, cache_dir, no_cache, repo,
          fetch_base, summary_output, wide) -> int:
    from ..estimate.simulate import DEFAULT_SEED
    from ..gate.diff import diff
    from ..gate.runner import default_jobs
    from ..repo import find_root
    from ..report.annotations import annotations as gh_annotations
    from ..report.gate import FORMATS as RENDER
    from ..report.gate import to_summary, to_table

    root = find_root(Path(repo))
    if config is not None and not config.is_absolute():
        config = config.resolve()  # as typed, relative to the current directory
    elif config is None:
        config = _nearest_config(root)
    if fetch_base:
        _fetch_base(root, base)
    result = diff(root, base, head, config_path=config, as_of=parse_day(as_of),
                  seed=DEFAULT_SEED if seed is None else seed, cache=open_cache(cache_dir, no_cache),
                  jobs=default_jobs() if jobs is None else jobs, progress=progress())
    if not (quiet and not result.changed):
        width = table_width(wide, output)
        emit(to_table(result, width) if fmt == "table" else RENDER[fmt](result), output, fmt=fmt, quiet=quiet)
        if summary_output:
            emit(to_summary(result), summary_output, quiet=quiet)
    elif not output:
        click.echo("costgate: no cost change", err=True)
    if show:
        for line in gh_annotations(result):
            click.echo(line)
    return EXIT_OK if result.passed else EXIT_GATE


def _nearest_config(root: Path) -> Path | None:
    """Without --config: the config nearest to the current directory (a sub-folder's own
    costgate.yaml or [tool.costgate]), else None (the root's, or the defaults)."""
    from ..repo import WorkTree
    from ..repo.config import discover_config

    try:
        start = Path.cwd().resolve().relative_to(root).as_posix()
    except ValueError:  # -C names another repository
        return None
    rel = discover_config(WorkTree(root), start)
    return None if rel is None else root / rel


def _fetch_base(root: Path, base: str) -> None:
    from ..repo.git import fetch_commit, has_commit

    if not has_commit(root, base):
        say(f"costgate: fetching the base commit {base} (git fetch --no-tags --depth=1 origin)")
        fetch_commit(root, base)


summary_option = click.option(
    "--summary-output", "summary_output", type=click.Path(dir_okay=False), default=None, metavar="FILE",
    help="Also write the markdown report for a CI job summary to FILE, cut to the summary's own 1 MiB limit "
         "rather than a comment's 65,536 characters (the Action appends it to $GITHUB_STEP_SUMMARY).")


@click.command()
@click.option("--base", required=True, metavar="REF", help="Base ref: branch, tag or SHA (e.g. origin/main).")
@click.option("--fetch-base", "fetch_base", is_flag=True,
              help="When the base commit is not in the clone, fetch it first (git fetch --no-tags --depth=1 "
                   "origin REF; shallow clones work). Off by default: costgate touches no network unless asked.")
@gate_options
@summary_option
def diff(base, fetch_base, head, config, fmt, wide, output, quiet, annotations, as_of, seed, jobs, cache_dir,
         no_cache, repo, summary_output) -> int:
    """Gate a change: compare every gated spec at --base with head.

    Estimates each spec of costgate.yaml's `specs:` globs at the base ref (read from git
    objects with every template and samples file it references; the working tree is not
    touched) and at head, then reports per feature and per call: system-prompt tokens,
    input tokens, cost per session and projected monthly cost, before and after.

    A spec whose inputs (spec, templates, samples, vars, prices, day, seed, limits,
    costgate's version) are the same at base and head is estimated once, and not at all
    when the estimate cache holds it: keep --cache-dir between CI runs (actions/cache) to
    estimate only what a pull request changed. Entries are verified, never trusted; the
    cache is pruned to 500 MB, least recently used first. The rest is estimated in --jobs
    worker processes; neither changes a number of the report.

    \b
    Exit codes: 0 all thresholds hold, 1 a threshold was crossed, 2 bad input, 3 a bug.
    Decreases are reported as savings and never fail. When the gate cannot run (2, 3),
    --format markdown --output still writes a report saying so.

    \b
    Examples:
      costgate diff --base origin/main
      costgate diff --base HEAD~1 --format markdown -o comment.md
      costgate diff --base origin/main --jobs 4 --cache-dir .costgate-cache
    """
    return run_gate(base, head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir, no_cache, repo,
                    fetch_base, summary_output, wide)


@click.command()
@gate_options
@summary_option
def check(head, config, fmt, wide, output, quiet, annotations, as_of, seed, jobs, cache_dir, no_cache, repo,
          summary_output) -> int:
    """`costgate diff` with the base read from the CI environment.

    Detects GitHub Actions, GitLab CI, Bitbucket Pipelines and Azure Pipelines and takes
    the pull request's base from the first of these that is set (docs/ci.md):

    \b
      GitHub     the event's pull_request.base.sha (GITHUB_EVENT_PATH), origin/$GITHUB_BASE_REF
      GitLab     CI_MERGE_REQUEST_DIFF_BASE_SHA, CI_MERGE_REQUEST_TARGET_BRANCH_SHA,
                 origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME
      Bitbucket  BITBUCKET_PR_DESTINATION_COMMIT, origin/$BITBUCKET_PR_DESTINATION_BRANCH
      Azure      origin/BRANCH of SYSTEM_PULLREQUEST_TARGETBRANCH ([refs/heads/]BRANCH)

    A value that is not a commit SHA or a valid branch name is refused (exit 2). Outside
    a pull request build, pass the base yourself: costgate diff --base REF.
    """
    from ..gate.ci import ci_context

    try:
        ci = ci_context()
    except Exception as exc:  # no base to compare with: the report says so too
        _report_failure(exc, fmt, output, _annotating(annotations), summary_output)
        raise
    base = ci.base
    if not quiet:  # which system, which pull request, which base: the first thing to check in a CI log
        pr = f" pull request {ci.pull_request}," if ci.pull_request else ""
        say(f"costgate: {ci.platform.label}{pr} base {base} (from {ci.base_source})")
    return run_gate(base, head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir,
                    no_cache, repo, summary_output=summary_output, wide=wide)
