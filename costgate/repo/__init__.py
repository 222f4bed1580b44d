"""The only way to read a repository: a source (work tree or git ref), confined paths,
the one glob rule, the repository's config, and the view that puts them together."""

from .config import Config, Limit, Thresholds, load_config
from .gittree import GitTree
from .source import Source, find_root
from .view import PriceLayer, RepoView, open_view, view_for_file
from .worktree import WorkTree

__all__ = ["Config", "Limit", "Thresholds", "load_config", "GitTree", "Source", "WorkTree", "find_root",
           "PriceLayer", "RepoView", "open_view", "view_for_file"]
