"""Writers for networks and tables: GraphML for Gephi (``graphml``), CSV (``tabular``).

Names load on first use, so writing a CSV does not import networkx.
"""

from __future__ import annotations

from collabnet._lazy import lazy_exports

_EXPORTS = {
    "write_graphml": ("collabnet.export.graphml", "write_graphml"),
    "write_csv": ("collabnet.export.tabular", "write_csv"),
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
