"""Saving and loading parameters as NumPy ``.npz`` archives (never pickle), with bounded loads.

``nn.save(model, path)`` writes ``model.state_dict()`` (or any dict of name -> array) with
``numpy.savez``, which adds ``.npz`` to a path that lacks it; ``nn.load(path)`` therefore reads
``path`` if it exists and ``path + ".npz"`` otherwise, so ``save(m, "model")`` then ``load("model")``
works.

``nn.load`` reads the archive itself (``zipfile`` and ``numpy.lib.format``) rather than trusting
``numpy.load``: it first reads every member's .npy *header* (magic, dtype, shape: a few hundred
bytes, never the data) and refuses the file before allocating anything when

- a declared array, or all of them together, would take more than ``max_bytes`` (1 GiB by default):
  a few KB of compressed zeros can declare gigabytes;
- with ``into=``, a member's shape differs from the parameter of that name (so the module's own
  shapes bound what is read), or (``strict``) names are missing or unexpected;
- a dtype is not a real number, integer or boolean: object dtypes (pickles, which could run code),
  complex (a parameter is real: its imaginary part would be dropped), text, structured records;
- the file is not a zip of .npy members (random bytes, a plain .npy, text members, a malformed or
  truncated header or member, a bad checksum, a name that occurs twice).

Each refusal is a ``ValueError`` naming the file, the member and what is wrong (``KeyError`` for
names that do not fit ``into=`` under ``strict``, as ``Module.load_state_dict`` raises).
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, NamedTuple

import numpy as np
from numpy.lib import format as npy_format

from autograd import Value
from nn.module import Module

DEFAULT_MAX_BYTES = 1 << 30
"""The default bound of ``load``: 1 GiB of array data in all, as declared by the headers."""

_ALLOWED_KINDS = "fiub"  # float, signed and unsigned integer, boolean: what ``save`` writes
_CHUNK = 1 << 20  # data is copied into the array a MiB at a time (never a second full-size buffer)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)


def save(module_or_state: Module | Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a Module's state_dict (or a dict of name -> array) to ``path`` as an uncompressed .npz.

    As with ``numpy.savez``, ``.npz`` is appended to a path that does not end with it
    (``save(m, "model")`` writes ``model.npz``); :func:`load` finds it under either name.

    Raises:
        TypeError: for values that are not numeric arrays (they would need pickle).
    """
    state = module_or_state.state_dict() if isinstance(module_or_state, Module) else module_or_state
    arrays = {}
    for name, value in state.items():
        data = np.asarray(getattr(value, "data", value))
        if data.dtype.kind not in _ALLOWED_KINDS:
            raise TypeError(f"save: entry {name!r} has dtype {data.dtype}; only numeric arrays can be saved")
        arrays[str(name)] = data
    np.savez(path, **arrays)  # type: ignore[arg-type]


class _Member(NamedTuple):
    """What a member's header declares: read before any of its data."""

    name: str  # the state-dict key: the member's file name without ``.npy``
    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype[Any]

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize  # Python ints: no overflow for absurd shapes


def load(
    path: str | os.PathLike[str],
    into: Module | None = None,
    strict: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OrderedDict[str, np.ndarray]:
    """Read a state dict saved by :func:`save`; with ``into``, also load it into that Module.

    Every member's header is checked before any array data is read (see the module docstring).

    Args:
        path: the .npz file; when ``path`` does not exist and does not end with ``.npz``,
            ``path + ".npz"`` is read (``save`` adds that suffix).
        into: a Module to load the arrays into (``Module.load_state_dict``); each member must then
            have the shape of the module's parameter of that name.
        strict: with ``into``, names missing from the file or not in the module raise ``KeyError``.
        max_bytes: the most array data (bytes, all members together, as the headers declare it)
            that will be allocated; 1 GiB by default. Pass a larger value for a larger model.

    Returns:
        name -> ndarray, in the archive's order.

    Raises:
        FileNotFoundError: neither ``path`` nor ``path + ".npz"`` exists.
        ValueError: the file is refused (too large, not a zip of numeric .npy arrays, a shape that does
            not fit ``into``); the message names the file and the member.
        KeyError: (``into`` and ``strict``) names missing or unexpected, all listed.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, np.integer)):
        raise TypeError(f"load: max_bytes must be an integer (bytes), got {max_bytes!r}")
    if max_bytes < 0:
        raise ValueError(f"load: max_bytes must be non-negative, got {max_bytes}")
    filename = _resolve(path)
    where = f"load: {filename!r}"
    _check_is_zip(filename, where)
    state: OrderedDict[str, np.ndarray] = OrderedDict()
    try:
        with zipfile.ZipFile(filename) as archive:
            members = []
            for info in archive.infolist():
                with _naming(info, where):
                    members.append(_read_header(archive, info, where))
            _check_bounds(members, int(max_bytes), into, strict, where)
            for member in members:
                with _naming(member.info, where):
                    state[member.name] = _read_data(archive, member, where)
    except _ZIP_ERRORS as error:
        raise ValueError(f"{where} is not a readable .npz archive ({type(error).__name__}: {error})") from None
    if into is not None:
        into.load_state_dict(state, strict=strict)
    return state


def _resolve(path: str | os.PathLike[str]) -> str:
    """``path`` if it exists, else ``path + ".npz"`` (where ``save`` wrote it); FileNotFoundError if neither."""
    filename = os.fspath(path)
    if os.path.exists(filename):
        return filename
    if filename.endswith(".npz"):
        raise FileNotFoundError(f"load: no such file: {filename!r}")
    if os.path.exists(filename + ".npz"):
        return filename + ".npz"
    raise FileNotFoundError(f"load: no such file: {filename!r} (nor {filename + '.npz'!r}, "
                            "the name save would give it)")


def _check_is_zip(filename: str, where: str) -> None:
    """Refuse a file that is not a zip archive, saying what it looks like instead."""
    if zipfile.is_zipfile(filename):
        return
    with open(filename, "rb") as handle:
        start = handle.read(len(npy_format.MAGIC_PREFIX))
    if start == npy_format.MAGIC_PREFIX:
        raise ValueError(f"{where} is a single .npy array, not an .npz archive of named arrays "
                         "(nn.save writes .npz; read a .npy with numpy.load(path, allow_pickle=False))")
    raise ValueError(f"{where} is not an .npz archive (a zip of .npy arrays): it does not start like a zip file")


@contextmanager
def _naming(info: zipfile.ZipInfo, where: str) -> Iterator[None]:
    """Turn what zipfile raises while reading a member (bad CRC, cut data, encryption) into a ValueError naming it."""
    try:
        yield
    except _ZIP_ERRORS as error:
        reason = f"{type(error).__name__}: {error}"
        raise ValueError(f"{where}: member {info.filename!r} cannot be read ({reason})") from None


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> _Member:
    """Read one member's .npy header (magic, version, dict): its name, shape, order and dtype."""
    if not info.filename.endswith(".npy"):
        raise ValueError(f"{where}: member {info.filename!r} is not a .npy array (an .npz holds only .npy members)")
    name = info.filename[: -len(".npy")]
    with archive.open(info) as stream:
        try:
            version = npy_format.read_magic(stream)
        except ValueError as error:
            raise ValueError(f"{where}: entry {name!r} is not a .npy array ({error})") from None
        try:
            shape, fortran_order, dtype = _read_array_header(stream, version)
        except Exception as error:  # noqa: BLE001  (parsing untrusted text: whatever fails, the header is bad)
            raise ValueError(f"{where}: entry {name!r} has a malformed .npy header "
                             f"({type(error).__name__}: {error})") from None
    if any(size < 0 for size in shape):
        raise ValueError(f"{where}: entry {name!r} has a malformed .npy header (negative shape {tuple(shape)})")
    return _Member(name, info, tuple(shape), bool(fortran_order), dtype)


def _read_array_header(stream: IO[bytes], version: tuple[int, int]) -> tuple[Any, Any, np.dtype[Any]]:
    """NumPy's header reader for ``version`` (1.0 or 2.0): (shape, fortran_order, dtype); ValueError otherwise."""
    if version == (1, 0):
        return npy_format.read_array_header_1_0(stream)  # type: ignore[no-any-return]
    if version == (2, 0):
        return npy_format.read_array_header_2_0(stream)  # type: ignore[no-any-return]
    raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]} (nn.save writes 1.0)")


def _describe(member: _Member) -> str:
    return f"entry {member.name!r} (shape {member.shape}, dtype {member.dtype}, {member.nbytes} bytes)"


def _check_bounds(members: list[_Member], max_bytes: int, into: Module | None, strict: bool, where: str) -> None:
    """Refuse, from the headers alone, what should not be read: odd dtypes, sizes over the bounds, misfits."""
    seen: set[str] = set()
    for member in members:
        if member.name in seen:
            raise ValueError(f"{where}: entry {member.name!r} occurs more than once in the archive")
        seen.add(member.name)
        dtype = member.dtype
        if dtype.hasobject:
            raise ValueError(f"{where}: {_describe(member)} holds pickled objects, which are refused "
                             "(unpickling can run code)")
        if dtype.kind == "c":
            raise ValueError(f"{where}: {_describe(member)} is complex; parameters are real and its imaginary "
                             "part would be lost (save the real and imaginary parts as two entries)")
        if dtype.kind not in _ALLOWED_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise ValueError(f"{where}: {_describe(member)} is not an array of real numbers, integers or "
                             "booleans (what nn.save writes)")
    if into is not None:
        _check_fits(members, into, strict, where)
    total = 0
    for member in members:
        if member.nbytes > max_bytes:
            raise ValueError(f"{where}: {_describe(member)} is larger than the bound max_bytes={max_bytes}; "
                             "pass a larger max_bytes if the file is trusted")
        total += member.nbytes
        if total > max_bytes:
            raise ValueError(f"{where}: {_describe(member)} brings the archive to {total} bytes in all, over the "
                             f"bound max_bytes={max_bytes}; pass a larger max_bytes if the file is trusted")


def _check_fits(members: list[_Member], into: Module, strict: bool, where: str) -> None:
    """With ``into``: each member has its parameter's or buffer's shape; under ``strict`` names match both ways."""
    own = OrderedDict((name, np.shape(item.data if isinstance(item, Value) else item))
                      for name, item in into._named_state())
    names = [member.name for member in members]
    missing = [name for name in own if name not in names]
    unexpected = [name for name in names if name not in own]
    if strict and (missing or unexpected):
        raise KeyError(f"{where} into {type(into).__name__}: missing keys {missing}, unexpected keys {unexpected}")
    for member in members:
        if member.name in own and member.shape != own[member.name]:
            raise ValueError(f"{where}: {_describe(member)} does not fit {type(into).__name__}, whose "
                             f"{member.name!r} has shape {own[member.name]}")


def _read_data(archive: zipfile.ZipFile, member: _Member, where: str) -> np.ndarray:
    """Read the data a checked header declared into an array of exactly that size, a MiB at a time."""
    flat = np.empty(math.prod(member.shape), dtype=member.dtype)
    raw = flat.view(np.uint8).reshape(-1)
    filled = 0
    with archive.open(member.info) as stream:
        _read_array_header(stream, npy_format.read_magic(stream))  # checked already: skip past it
        while filled < member.nbytes:
            chunk = stream.read(min(_CHUNK, member.nbytes - filled))
            if not chunk:
                raise ValueError(f"{where}: {_describe(member)} is truncated: its data holds {filled} of "
                                 f"{member.nbytes} bytes")
            raw[filled: filled + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            filled += len(chunk)
        if stream.read(1):  # reading to the end also makes zipfile check the member's CRC
            raise ValueError(f"{where}: {_describe(member)} holds more bytes than its header declares")
    if member.fortran_order:
        return flat.reshape(member.shape[::-1]).transpose()
    return flat.reshape(member.shape)
