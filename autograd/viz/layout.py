"""A layered layout for the explorer, computed here so that no Graphviz is needed.

Inputs on the left, the output on the right: an op sits one column right of its
rightmost input, and a leaf one column left of its first consumer. Within a
column the nodes are ordered by the mean row of their neighbours (the barycenter
heuristic, a few sweeps left-to-right and right-to-left), which removes most
edge crossings in the graphs a learner builds. Iterative and O(sweeps x edges).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SWEEPS = 4


def layered_layout(order: Sequence[Any], inputs: dict[Any, list[Any]]) -> dict[Any, tuple[int, int]]:
    """(column, row) for every node.

    Args:
        order: the nodes, each after all of its inputs (``graph_nodes``' order).
        inputs: the input nodes of each node (leaves: an empty list).

    Returns:
        ``{node: (column, row)}``; columns start at 0 on the left, rows at 0 at the top.
    """
    column: dict[Any, int] = {}
    for node in order:
        column[node] = 1 + max((column[x] for x in inputs[node]), default=-1)
    consumers: dict[Any, list[Any]] = {node: [] for node in order}
    for node in order:
        for x in inputs[node]:
            consumers[x].append(node)
    for node in order:  # pull each leaf next to its first consumer
        if not inputs[node] and consumers[node]:
            column[node] = max(0, min(column[c] for c in consumers[node]) - 1)
    n_columns = 1 + max(column.values(), default=0)
    columns: list[list[Any]] = [[] for _ in range(n_columns)]
    for node in order:
        columns[column[node]].append(node)
    row = {node: k for nodes in columns for k, node in enumerate(nodes)}
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        neighbours = inputs if forward else consumers
        for nodes in (columns if forward else reversed(columns)):
            def key(node: Any, neighbours: dict[Any, list[Any]] = neighbours) -> float:
                near = neighbours[node]
                return sum(row[x] for x in near) / len(near) if near else float(row[node])
            nodes.sort(key=key)
            for k, node in enumerate(nodes):
                row[node] = k
    return {node: (column[node], row[node]) for node in order}
