"""Study tools: see the graph and the backward pass, in a terminal, in Jupyter or in a browser.

    from autograd import Value
    from autograd.viz import explore, render, trace
    a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    c = a * b; c.label = "c"
    explore(c, "backprop.html")  # a page that steps through both passes (changes nothing)
    t = trace(c)        # runs the backward pass and writes down every step
    print(t)            # the table; t.rows holds the same numbers
    a.grad              # -3.0: trace *is* a backward pass, the leaves' .grad is filled
    render(c, "c.svg", grads=t.grads)   # the graph, with every node's gradient (needs Graphviz)

- :mod:`autograd.viz.graph`: node names, ``to_dot``, ``render``, ``draw`` (a ``graphviz.Digraph`` for notebooks);
- :mod:`autograd.viz.trace`: ``trace`` and its HTML table;
- :mod:`autograd.viz.explore`: the step-through page (layout in :mod:`autograd.viz.layout`, the page's
  own HTML, CSS and JavaScript beside it); ``python -m autograd.viz FILE:FUNC`` writes it from the command line.

In Jupyter a Value shows an HTML summary (``Value._repr_html_``) and a Trace its table.
"""

from autograd.viz.explore import explore, explore_html
from autograd.viz.graph import GraphvizUnavailable, draw, fmt, graph_nodes, node_names, render, to_dot
from autograd.viz.trace import Trace, TraceInput, TraceRow, trace

__all__ = [
    "GraphvizUnavailable", "Trace", "TraceInput", "TraceRow", "draw", "explore", "explore_html", "fmt",
    "graph_nodes", "node_names", "render", "to_dot", "trace",
]
