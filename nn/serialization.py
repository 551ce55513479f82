"""Saving and loading parameters as NumPy ``.npz`` archives (never pickle).

``nn.save(model, path)`` writes ``model.state_dict()`` (or any dict of name -> array);
``nn.load(path)`` reads it back with ``allow_pickle=False``, so a file cannot run
code when loaded: an archive holding pickled objects is refused with ValueError.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from nn.module import Module


def save(module_or_state: Module | Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a Module's state_dict (or a dict of name -> array) to ``path`` (.npz; NumPy adds the suffix if missing).

    Raises:
        TypeError: for values that are not numeric arrays (they would need pickle).
    """
    state = module_or_state.state_dict() if isinstance(module_or_state, Module) else module_or_state
    arrays = {}
    for name, value in state.items():
        data = np.asarray(getattr(value, "data", value))
        if data.dtype.kind not in "fiub":
            raise TypeError(f"save: entry {name!r} has dtype {data.dtype}; only numeric arrays can be saved")
        arrays[str(name)] = data
    np.savez(path, **arrays)  # type: ignore[arg-type]


def load(path: str | os.PathLike[str], into: Module | None = None, strict: bool = True) -> OrderedDict[str, np.ndarray]:
    """Read a state dict saved by :func:`save`; with ``into``, also load it into that Module.

    Raises:
        ValueError: if the file holds pickled objects (refused: ``allow_pickle=False``).
    """
    state: OrderedDict[str, np.ndarray] = OrderedDict()
    with np.load(path, allow_pickle=False) as archive:
        for name in archive.files:
            try:
                state[name] = archive[name]
            except ValueError as error:
                raise ValueError(f"load: entry {name!r} of {os.fspath(path)!r} holds pickled objects, which are "
                                 f"refused ({error})") from None
    if into is not None:
        into.load_state_dict(state, strict=strict)
    return state
