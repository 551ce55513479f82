"""The handle that ``Module.register_forward_hook`` / ``register_forward_pre_hook`` return (PyTorch's)."""

from __future__ import annotations

from typing import Any


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``remove()`` takes the hook off (twice is harmless)."""

    _next_id = 0

    def __init__(self, module: Any, kind: int) -> None:
        RemovableHandle._next_id += 1
        self.id = RemovableHandle._next_id
        self._module, self._kind = module, kind

    def remove(self) -> None:
        hooks = self._module._hooks
        if hooks is not None:
            hooks[self._kind].pop(self.id, None)
            if not hooks[0] and not hooks[1]:
                object.__setattr__(self._module, "_hooks", None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
