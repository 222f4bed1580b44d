"""The price table a repository uses: the shipped table (or the repository's own full
table directory), then the config's ``pricing:`` layers read through the repository view
(so base and head are read the same way), then ``--pricing`` layers from the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..repo import PriceLayer, RepoView
from .loader import LayerSpec, TextFile, TextLayer, load_table, shipped_pricing_dir
from .model import PriceTable


def read_repo_layer(view: RepoView, layer: PriceLayer) -> TextLayer:
    return tuple(TextFile(view.display_name(f), view.read_text(f)) for f in layer.files)


def table_for(view: RepoView, extra: Sequence[Path] = (), table_dir: str | None = None) -> PriceTable:
    """The table ``view`` prices with. ``table_dir`` names a repository directory holding
    a full table that replaces the shipped one (costgate's own ``pricing/``)."""
    own = view.layer(table_dir) if table_dir else None
    layers: list[LayerSpec] = [read_repo_layer(view, own) if own else shipped_pricing_dir()]
    layers += [read_repo_layer(view, layer) for layer in view.price_layers()]
    layers += list(extra)
    if len(layers) == 1 and own is None:
        return load_table()  # the shipped table, parsed once per process
    return load_table(layers)
