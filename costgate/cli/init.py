"""``costgate init``: the starter files a team needs to gate its first feature."""

from __future__ import annotations

from pathlib import Path

import click

from .options import repo_option


@click.command()
@click.option("--feature", default="example", show_default=True, help="Feature id of the starter spec.")
@click.option("--dir", "directory", default="llm", show_default=True, help="Where the starter spec goes.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@repo_option
def init(feature, directory, force, repo) -> None:
    """Write a commented costgate.yaml, a starter spec and the PR workflow.

    \b
    Then:
      costgate estimate llm/
      git add costgate.yaml llm .github && git commit -m "Gate LLM costs"
    """
    from ..spec.scaffold import init as scaffold

    for path in scaffold(Path(repo), feature=feature, directory=directory, force=force):
        click.echo(f"wrote {path}")
