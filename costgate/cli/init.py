"""``costgate init``: the starter files a team needs to gate its first feature, or
(``--detect``) a spec proposed from the prompts and settings a repository already has."""

from __future__ import annotations

from pathlib import Path

import click

from .options import repo_option, say


@click.command()
@click.option("--feature", default="example", show_default=True, help="Feature id of the starter spec.")
@click.option("--dir", "directory", default=None,
              help="Where the starter spec goes.  [default: llm; with --detect: the repository root]")
@click.option("--force", is_flag=True, help="Overwrite existing files (not with --detect: it never overwrites).")
@click.option("--detect", is_flag=True,
              help="Look for prompt files (*.prompty, prompts/**, *prompt* files, Python prompt constants), model "
                   "ids, max_tokens, reasoning effort and *.jsonl samples, and print a spec to review.")
@click.option("--write", is_flag=True, help="With --detect: write the proposal to DIR/FEATURE.costgate.yaml "
                                            "(never over an existing file).")
@repo_option
def init(feature, directory, force, detect, write, repo) -> None:
    """Write a commented costgate.yaml, a starter spec and the PR workflow; or, with
    --detect, propose a spec from the prompts and LLM settings the repository has.

    --detect reads the repository without running anything (Python files are parsed,
    never imported), skipping .git, node_modules, virtual environments, build and cache
    folders, and prints the proposed spec on stdout (what it found, and what to run
    next, on stderr). Every prompt is referenced where it is: {file: ...}, {file: ...,
    key: ...} for a text inside YAML, {file: ..., symbol: ...} for a Python constant,
    prompt: {file: x.prompty}. Traffic, calls per session and output length are TODOs.

    Ends by printing the exact commands to run next (estimate, commit, diff) and what
    each will show, for where it runs (a git repository or not, with commits or not).

    \b
    Or, from what is there:
      costgate init --detect --feature support-bot
      costgate init --detect --feature support-bot --write
    """
    if detect:
        return _detect(Path(repo), feature, "." if directory is None else directory, force, write)
    if write:
        from ..errors import CostgateError

        raise CostgateError("--write writes the proposal of --detect", hint="add --detect")
    _starter(Path(repo), feature, directory or "llm", force)


def _starter(repo: Path, feature: str, directory: str, force: bool) -> None:
    from ..repo.git import state
    from ..report.scaffold import next_steps
    from ..spec.scaffold import STARTER_BUDGET, check_names, spec_path
    from ..spec.scaffold import init as scaffold

    root, norm = check_names(repo, feature, directory)
    written = [p.relative_to(root).as_posix() for p in scaffold(root, feature=feature, directory=norm, force=force)]
    for rel in written:
        click.echo(f"wrote {rel}")
    spec = spec_path(feature, norm)
    prompt = next(rel for rel in written if rel.endswith(".system.j2"))
    cd = None if Path.cwd().resolve() == root else str(root)
    for line in next_steps(written, spec, prompt, STARTER_BUDGET, state(root), cd):
        click.echo(line)


def _detect(repo: Path, feature: str, directory: str, force: bool, write: bool) -> None:
    from ..errors import CostgateError
    from ..pricing import load_table
    from ..spec.detect import detect
    from ..spec.propose import propose
    from ..spec.scaffold import check_names, check_new, spec_path, write_new
    from .options import emit

    if force:
        raise CostgateError("--detect never overwrites a file, so it takes no --force",
                            hint="print the proposal without --write, or pass another --feature")
    root, directory = check_names(repo, feature, directory)
    rel = spec_path(feature, directory)
    if write:
        check_new(root, rel)  # before the work, not after it
    table = load_table()
    models = {name: table.canonical(name) for name in (*table.models, *table.aliases)
              if table.models[table.canonical(name)].kind == "chat"}
    found = detect(root, models)
    text = propose(found, feature, "" if directory == "." else directory)
    if write:
        write_new(root, rel, text)
        click.echo(f"wrote {rel}")
    else:
        emit(text)
    from ..report.detect import next_steps, summary

    for line in summary(found) + next_steps(found, rel, written=write):
        say(line)
