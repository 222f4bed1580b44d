"""The base branch's configuration: what judges a pull request."""

from __future__ import annotations

from ..errors import CostgateError
from ..repo import Config, GitTree, Source, load_config
from ..repo.config import CONFIG_FILE, PYPROJECT


def base_config(src: GitTree, rel: str | None) -> Config:
    """The config at base: the named file when base has it, else what base has, else the
    built-in defaults (never head's: a config the pull request adds does not judge it)."""
    if rel is not None and not src.exists(rel):
        return Config()
    try:
        return load_config(src, rel)
    except CostgateError as exc:
        raise CostgateError(f"at base {src.label}: {exc.message}", file=exc.location.file, line=exc.location.line,
                            hint=exc.hint) from None


def config_text(src: Source, rel: str | None) -> bytes | None:
    """The bytes of the config file ``src`` would read (to tell whether a pull request
    edits it), or None without one."""
    for candidate in ([rel] if rel else [CONFIG_FILE, PYPROJECT]):
        if src.exists(candidate):
            try:
                return src.read_bytes(candidate)
            except CostgateError:
                return b"<unreadable>"
    return None
