"""``python -m autograd.gradcheck FILE:FUNC [options]``: the gradient-checking command line.

The command itself is :mod:`autograd.checking.cli` (``--help`` lists its options). In
Python, use ``autograd.gradcheck`` (the function). Importing this module
(``import autograd.gradcheck``) makes Python rebind the package's ``gradcheck``
attribute to the module, so the module is made callable: it forwards calls to the
function, and ``autograd.gradcheck(f, inputs)`` keeps working either way.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from autograd.checking import gradcheck as _gradcheck_function
from autograd.checking.cli import EXIT_MISMATCH, EXIT_PASS, EXIT_USAGE, main

__all__ = ["EXIT_MISMATCH", "EXIT_PASS", "EXIT_USAGE", "main"]


class _CallableModule(types.ModuleType):
    """This module, callable as the ``gradcheck`` function it shadows in the package namespace."""

    def __call__(self, *args: Any, **kwargs: Any) -> bool:
        return _gradcheck_function(*args, **kwargs)


if __name__ == "__main__":
    sys.exit(main())
else:
    sys.modules[__name__].__class__ = _CallableModule
