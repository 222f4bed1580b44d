"""``costgate diff`` and ``costgate check``: the pull-request gate."""

from __future__ import annotations

from pathlib import Path

import click

from .options import EXIT_GATE, EXIT_OK, emit, gate_options, open_cache, parse_day, progress


def run_gate(base, head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir, no_cache,
             repo) -> int:
    from ..estimate.simulate import DEFAULT_SEED
    from ..gate.ci import in_github_actions
    from ..gate.diff import diff
    from ..gate.runner import default_jobs
    from ..repo import find_root
    from ..report.annotations import annotations as gh_annotations
    from ..report.gate import FORMATS as RENDER

    root = find_root(Path(repo))
    if config is not None and not config.is_absolute():
        config = config.resolve()  # as typed, relative to the current directory
    result = diff(root, base, head, config_path=config, as_of=parse_day(as_of),
                  seed=DEFAULT_SEED if seed is None else seed, cache=open_cache(cache_dir, no_cache),
                  jobs=default_jobs() if jobs is None else jobs, progress=progress())
    if not (quiet and not result.changed):
        emit(RENDER[fmt](result), output)
    elif not output:
        click.echo("costgate: no cost change", err=True)
    if annotations or (annotations is None and in_github_actions()):
        for line in gh_annotations(result):
            click.echo(line)
    return EXIT_OK if result.passed else EXIT_GATE


@click.command()
@click.option("--base", required=True, metavar="REF", help="Base ref: branch, tag or SHA (e.g. origin/main).")
@gate_options
def diff(base, head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir, no_cache, repo) -> int:
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
    Exit codes: 0 all thresholds hold, 1 a threshold was crossed, 2 bad input.
    Decreases are reported as savings and never fail.

    \b
    Examples:
      costgate diff --base origin/main
      costgate diff --base HEAD~1 --format markdown -o comment.md
      costgate diff --base origin/main --jobs 4 --cache-dir .costgate-cache
    """
    return run_gate(base, head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir, no_cache, repo)


@click.command()
@gate_options
def check(head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir, no_cache, repo) -> int:
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
    from ..gate.ci import ci_base_ref

    return run_gate(ci_base_ref(), head, config, fmt, output, quiet, annotations, as_of, seed, jobs, cache_dir,
                    no_cache, repo)
