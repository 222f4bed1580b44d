"""``python -m costgate``: the same command as ``costgate``."""

from .cli import entry

if __name__ == "__main__":
    entry()
