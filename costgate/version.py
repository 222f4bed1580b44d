"""costgate's version, in a module of its own so any layer can name it (reports print it)
without importing the public API package."""

__version__ = "0.1.0"
