"""Renderers: result objects in, strings out (table, markdown, JSON, annotations)."""
