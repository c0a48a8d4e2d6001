"""Writers for networks and tables: GraphML for Gephi first."""

from collabnet.export.graphml import write_graphml

__all__ = ["write_graphml"]
