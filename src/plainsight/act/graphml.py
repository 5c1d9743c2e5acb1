"""Networks as GraphML, for Gephi, yEd, Cytoscape and other graph tools.

The same entities and links as the i2 export (:func:`plainsight.act.i2.build_graph`),
written with the standard library's XML writer (networkx is not a dependency). Each node
carries ``type``, ``label``, ``date``, ``description`` and ``network``; each edge ``type``,
``label``, ``strength``, ``weight``, ``date``, ``description`` and ``network``. The graph is
directed; links that have no direction (persona to persona) say so in ``directed``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from plainsight.act.i2 import build_graph
from plainsight.lake.engine import Engine

NS = "http://graphml.graphdrawing.org/xmlns"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (an advert's text may carry them): dropped."""

NODE_KEYS = (
    ("type", "string"),
    ("label", "string"),
    ("date", "string"),
    ("description", "string"),
    ("network", "string"),
)
EDGE_KEYS = (
    ("type", "string"),
    ("label", "string"),
    ("strength", "string"),
    ("weight", "double"),
    ("date", "string"),
    ("description", "string"),
    ("network", "string"),
)


def _iso(when: datetime | None) -> str:
    return when.isoformat() if when else ""


def _data(parent: ET.Element, prefix: str, values: dict[str, str]) -> None:
    for key, value in values.items():
        if value != "":
            ET.SubElement(parent, "data", key=f"{prefix}_{key}").text = _NOT_XML.sub("", value)


def write_graphml(engine: Engine, chosen: list[str], output: Path) -> tuple[int, int]:
    """Write the chosen networks as GraphML; return (nodes, edges) written."""
    graph = build_graph(engine, chosen)
    root = ET.Element("graphml", xmlns=NS)
    for name, kind in NODE_KEYS:
        ET.SubElement(
            root, "key", {"id": f"n_{name}", "for": "node", "attr.name": name, "attr.type": kind}
        )
    for name, kind in EDGE_KEYS:
        ET.SubElement(
            root, "key", {"id": f"e_{name}", "for": "edge", "attr.name": name, "attr.type": kind}
        )
    ET.SubElement(
        root,
        "key",
        {"id": "e_directed", "for": "edge", "attr.name": "directed", "attr.type": "boolean"},
    )
    body = ET.SubElement(root, "graph", id="plainsight", edgedefault="directed")
    for node in graph.nodes.values():
        element = ET.SubElement(body, "node", id=_NOT_XML.sub("", node.identity))
        _data(
            element,
            "n",
            {
                "type": node.type,
                "label": node.label,
                "date": _iso(node.date),
                "description": node.description,
                "network": node.network,
            },
        )
    for number, edge in enumerate(graph.edges):
        element = ET.SubElement(
            body,
            "edge",
            id=f"e{number}",
            source=_NOT_XML.sub("", edge.source),
            target=_NOT_XML.sub("", edge.target),
        )
        _data(
            element,
            "e",
            {
                "type": edge.type,
                "label": edge.label,
                "strength": edge.strength,
                "weight": repr(edge.weight),
                "date": _iso(edge.date),
                "description": edge.description,
                "network": edge.network,
                "directed": "true" if edge.directed else "false",
            },
        )
    ET.indent(root)
    output.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(output, encoding="utf-8", xml_declaration=True)
    return len(graph.nodes), len(graph.edges)
