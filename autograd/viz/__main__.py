"""``python -m autograd.viz FILE:FUNC [-o backprop.html]``: write the explorer page for a function's result.

``FUNC`` is called without arguments and returns the Value to explore, for example::

    def neuron():
        x = Value(2.0, label="x"); w = Value(-3.0, label="w")
        return (x * w).tanh()

Exit status 0 when the page is written, 2 on a usage error (the message says what went wrong).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd.checking.cli import UsageError, load_target
from autograd.value import Value
from autograd.viz.explore import explore


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograd.viz",
                                     description="Write a page that steps through a backward pass.")
    parser.add_argument("target", help="FILE.py:function or package.module:function, called without arguments")
    parser.add_argument("-o", "--out", default="backprop.html", help="the page to write (default backprop.html)")
    args = parser.parse_args(argv)
    try:
        func = load_target(args.target)
        value = func()
        if not isinstance(value, Value):
            raise UsageError(f"{args.target} returned {type(value).__name__}, not a Value")
        path = explore(value, args.out)
    except (UsageError, TypeError, ValueError, RuntimeError, FileNotFoundError) as error:
        print(f"python -m autograd.viz: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}: open it in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
