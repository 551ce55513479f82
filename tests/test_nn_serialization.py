"""nn.save / nn.load: round trips, the path rule, and bounded, refusing loads of hostile files.

The hostile files are built here, in ``tmp_path``: compressed zeros, hand-written .npy headers that
declare huge shapes, truncated and malformed members, random bytes, a plain .npy, zips of text.
"""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn


class Head(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.PReLU())
        self.scale = nn.Parameter(np.ones(4))

    def forward(self, x):
        return self.body(x) * self.scale


def _npy(descr: str, shape: tuple[int, ...], data: bytes = b"", fortran_order: bool = False) -> bytes:
    """A .npy member: a real header declaring ``shape`` and ``descr``, followed by ``data`` (maybe too short)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": fortran_order, "shape": shape})
    return buffer.getvalue() + data


def _raw_header(text: bytes) -> bytes:
    """A version 1.0 .npy header holding ``text`` as is (so it can be malformed)."""
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


# ---------------------------------------------------------------------------- round trips still work

def test_round_trip_float64_float32_ints_scalars_and_nested_names(tmp_path: Path) -> None:
    state = {
        "body.0.weight": np.arange(12.0).reshape(4, 3),
        "body.0.bias": np.arange(4, dtype=np.float32),
        "body.1.alpha": np.float64(0.25),            # a scalar (0-d)
        "deep.a.b.c.count": np.arange(5, dtype=np.int64),
        "mask": np.array([True, False]),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "big_endian": np.arange(3.0).astype(">f8"),
        "empty": np.zeros((0, 3)),
    }
    nn.save(state, tmp_path / "state.npz")
    loaded = nn.load(tmp_path / "state.npz")
    assert list(loaded) == list(state)
    for name, expected in state.items():
        assert loaded[name].shape == np.shape(expected) and loaded[name].dtype == np.asarray(expected).dtype, name
        np.testing.assert_array_equal(loaded[name], expected)


def test_round_trip_into_a_nested_module_float32_and_compressed(tmp_path: Path) -> None:
    nn.manual_seed(0)
    source = Head()
    nn.save(source, tmp_path / "model.npz")
    target = Head()
    nn.load(tmp_path / "model.npz", into=target)
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    np.testing.assert_array_equal(source(x).data, target(x).data)

    # A float32 model, from a file written by NumPy's own compressed writer.
    model = nn.Linear(3, 2, dtype=np.float32)
    weights = {"weight": np.full((2, 3), 0.5, np.float32), "bias": np.array([1.0, -1.0], np.float32)}
    np.savez_compressed(tmp_path / "small.npz", **weights)  # type: ignore[arg-type]
    nn.load(tmp_path / "small.npz", into=model)
    assert model.weight.dtype == np.float32
    np.testing.assert_array_equal(model.weight.data, weights["weight"])


# ---------------------------------------------------------------------------- the path rule (item: nosuffix)

def test_save_without_suffix_then_load_with_or_without_it(tmp_path: Path) -> None:
    state = {"w": np.arange(3.0)}
    nn.save(state, tmp_path / "nosuffix")
    assert (tmp_path / "nosuffix.npz").exists() and not (tmp_path / "nosuffix").exists()  # NumPy's rule
    np.testing.assert_array_equal(nn.load(tmp_path / "nosuffix")["w"], state["w"])
    np.testing.assert_array_equal(nn.load(os.fspath(tmp_path / "nosuffix.npz"))["w"], state["w"])
    # The other direction: saved with the suffix, loaded by the bare name.
    nn.save(state, tmp_path / "with.npz")
    np.testing.assert_array_equal(nn.load(tmp_path / "with")["w"], state["w"])


def test_a_path_that_exists_wins_over_the_suffixed_one(tmp_path: Path) -> None:
    nn.save({"w": np.zeros(2)}, tmp_path / "both.npz")
    with open(tmp_path / "both", "wb") as handle:  # a file at exactly the given path is what gets read
        np.savez(handle, w=np.ones(2))
    np.testing.assert_array_equal(nn.load(tmp_path / "both")["w"], np.ones(2))


def test_a_missing_file_names_both_paths_tried(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        nn.load(tmp_path / "absent")
    assert "absent'" in str(info.value) and "absent.npz'" in str(info.value)
    with pytest.raises(FileNotFoundError, match=r"absent\.npz'$"):
        nn.load(tmp_path / "absent.npz")


# ---------------------------------------------------------------------------- size bounds (item 11)

def test_compressed_zeros_are_refused_from_the_header_without_inflating(tmp_path: Path) -> None:
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, weight=np.zeros((1000, 1000)))  # 8 MB of zeros in a few KB
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            nn.load(path, max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert "'weight'" in message and "(1000, 1000)" in message and "float64" in message
    assert "8000000" in message and "1000000" in message and os.fspath(path) in message
    assert peak < 1_000_000  # the 8 MB array was never allocated


def test_the_default_bound_refuses_a_header_declaring_8_tib(tmp_path: Path) -> None:
    huge = _zip(tmp_path / "huge.npz", {"weight.npy": _npy("<f8", (1 << 20, 1 << 20), b"\0" * 64)})
    with pytest.raises(ValueError, match=r"'weight'.*\(1048576, 1048576\).*float64.*1073741824"):
        nn.load(huge)
    assert nn.serialization.DEFAULT_MAX_BYTES == 1 << 30


@pytest.mark.slow
def test_the_default_bound_refuses_1_5_mb_of_deflated_zeros_that_declare_1_5_gb(tmp_path: Path) -> None:
    """The issue's file: 1.5 GB of float64 zeros, deflated to about 1.5 MB (building it takes a few seconds)."""
    path = tmp_path / "bomb.npz"
    count = 187_500_000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("weight.npy", "w", force_zip64=True) as member:
            member.write(_npy("<f8", (count,)))
            chunk = bytes(1 << 24)
            for _ in range(count * 8 // len(chunk)):
                member.write(chunk)
            member.write(bytes(count * 8 % len(chunk)))
    assert path.stat().st_size < 3_000_000
    with pytest.raises(ValueError, match=r"'weight'.*\(187500000,\).*float64.*1500000000.*1073741824"):
        nn.load(path)


def test_the_total_across_members_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "many.npz"
    np.savez(path, a=np.zeros(100), b=np.zeros(100))  # 800 bytes each, 1600 in all
    assert set(nn.load(path, max_bytes=1600)) == {"a", "b"}
    with pytest.raises(ValueError, match=r"'b'.*1600 bytes in all.*1000"):
        nn.load(path, max_bytes=1000)


def test_max_bytes_must_be_a_non_negative_integer(tmp_path: Path) -> None:
    nn.save({"w": np.zeros(1)}, tmp_path / "w.npz")
    with pytest.raises(ValueError, match="max_bytes"):
        nn.load(tmp_path / "w.npz", max_bytes=-1)
    for bad in (1.5, None, True):
        with pytest.raises(TypeError, match="max_bytes"):
            nn.load(tmp_path / "w.npz", max_bytes=bad)  # type: ignore[arg-type]
    assert list(nn.load(tmp_path / "w.npz", max_bytes=np.int64(8))) == ["w"]


def test_into_checks_each_shape_before_reading_the_data(tmp_path: Path) -> None:
    # The header declares 8 TB for "weight": with into=, the module's (2, 3) is the bound, whatever max_bytes.
    path = _zip(tmp_path / "liar.npz", {"weight.npy": _npy("<f8", (1 << 20, 1 << 20)),
                                        "bias.npy": _npy("<f8", (2,), bytes(16))})
    model = nn.Linear(3, 2)
    before = model.weight.data.copy()
    with pytest.raises(ValueError, match=r"'weight'.*\(1048576, 1048576\).*Linear.*\(2, 3\)"):
        nn.load(path, into=model, max_bytes=1 << 62)
    np.testing.assert_array_equal(model.weight.data, before)  # nothing was loaded
    # Same number of elements, other shape: refused too.
    np.savez(tmp_path / "transposed.npz", weight=np.zeros((3, 2)), bias=np.zeros(2))
    with pytest.raises(ValueError, match=r"'weight'.*\(3, 2\).*\(2, 3\)"):
        nn.load(tmp_path / "transposed.npz", into=model)


def test_into_strict_refuses_missing_and_unexpected_names_before_reading(tmp_path: Path) -> None:
    path = _zip(tmp_path / "extra.npz", {"weight.npy": _npy("<f8", (2, 3), bytes(48)),
                                         "bias.npy": _npy("<f8", (2,), bytes(16)),
                                         "huge.npy": _npy("<f8", (1 << 20, 1 << 20))})
    with pytest.raises(KeyError, match=r"unexpected keys \['huge'\]"):
        nn.load(path, into=nn.Linear(3, 2), max_bytes=1 << 62)
    np.savez(tmp_path / "partial.npz", weight=np.ones((2, 3)))
    with pytest.raises(KeyError, match=r"missing keys \['bias'\]"):
        nn.load(tmp_path / "partial.npz", into=nn.Linear(3, 2))
    model = nn.Linear(3, 2)
    state = nn.load(tmp_path / "partial.npz", into=model, strict=False)
    assert list(state) == ["weight"]
    np.testing.assert_array_equal(model.weight.data, np.ones((2, 3)))


# ---------------------------------------------------------------------------- what is not an array is refused

def test_complex_weights_are_refused_not_truncated_to_their_real_part(tmp_path: Path) -> None:
    np.savez(tmp_path / "complex.npz", weight=np.array([[1 + 2j, 3 - 1j, 0j]] * 2), bias=np.zeros(2))
    for into in (None, nn.Linear(3, 2)):
        with pytest.raises(ValueError, match=r"'weight'.*complex128"):
            nn.load(tmp_path / "complex.npz", into=into)


@pytest.mark.parametrize("dtype", [np.dtype(object), np.dtype([("a", "<f8"), ("b", "O")]), np.dtype("<U3")])
def test_pickles_structured_and_text_dtypes_are_refused_from_the_header(tmp_path: Path, dtype: np.dtype) -> None:
    path = _zip(tmp_path / "odd.npz", {"weight.npy": _npy(np.lib.format.dtype_to_descr(dtype), (1 << 40,))})
    with pytest.raises(ValueError, match=r"'weight'") as info:
        nn.load(path)
    if dtype.hasobject:
        assert "pickle" in str(info.value)


def test_random_bytes_are_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ValueError, match=r"noise\.npz.*not an \.npz archive"):
        nn.load(path)


def test_a_plain_npy_file_is_named_as_such(tmp_path: Path) -> None:
    np.save(tmp_path / "weight.npy", np.ones(3))
    with pytest.raises(ValueError, match=r"weight\.npy.*single \.npy array.*not an \.npz archive"):
        nn.load(tmp_path / "weight.npy")


def test_a_zip_of_text_files_is_refused_not_returned_as_bytes(tmp_path: Path) -> None:
    path = _zip(tmp_path / "notes.npz", {"readme.txt": b"hello", "weight.npy": _npy("<f8", (1,), bytes(8))})
    with pytest.raises(ValueError, match=r"notes\.npz.*'readme\.txt'.*not a \.npy"):
        nn.load(path)
    fake = _zip(tmp_path / "fake.npz", {"weight.npy": b"just some text, not an array"})
    with pytest.raises(ValueError, match=r"fake\.npz.*'weight'.*not a \.npy array"):
        nn.load(fake)


@pytest.mark.parametrize("header", [
    _raw_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)\n"),            # unterminated dict
    _raw_header(b"{'descr': '<f8', 'shape': (3,), }".ljust(63) + b"\n"),                # a key missing
    _raw_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }".ljust(63) + b"\n"),
    _raw_header(b"{'descr': 'not-a-dtype', 'fortran_order': False, 'shape': (3,), }".ljust(79) + b"\n"),
    _raw_header(b"__import__('os').system('echo no')".ljust(63) + b"\n"),              # not a literal
    b"\x93NUMPY\x01\x00\xff\x00{'descr'",                                               # header cut short
    b"\x93NUMPY\x09\x00" + b"\0" * 16,                                                  # unknown version
], ids=["unterminated", "missing-key", "negative-shape", "bad-descr", "code", "cut-short", "version"])
def test_malformed_headers_name_the_file_and_the_member(tmp_path: Path, header: bytes) -> None:
    path = _zip(tmp_path / "bad.npz", {"weight.npy": header + bytes(24)})
    with pytest.raises(ValueError, match=r"bad\.npz.*'weight'.*header"):
        nn.load(path)


def test_a_truncated_member_and_a_member_with_extra_bytes(tmp_path: Path) -> None:
    short = _zip(tmp_path / "short.npz", {"weight.npy": _npy("<f8", (100,), bytes(10))})
    with pytest.raises(ValueError, match=r"short\.npz.*'weight'.*truncated.*10 of 800"):
        nn.load(short)
    long = _zip(tmp_path / "long.npz", {"weight.npy": _npy("<f8", (1,), bytes(16))})
    with pytest.raises(ValueError, match=r"long\.npz.*'weight'.*more bytes"):
        nn.load(long)


def test_a_truncated_archive_and_a_corrupted_member(tmp_path: Path) -> None:
    nn.save({"w": np.arange(1000.0)}, tmp_path / "good.npz")
    content = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match=r"cut\.npz"):
        nn.load(tmp_path / "cut.npz")
    flipped = bytearray(content)
    flipped[len(content) // 2] ^= 0xFF  # inside the data: the CRC no longer matches
    (tmp_path / "flipped.npz").write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match=r"flipped\.npz.*'w\.npy'.*CRC"):
        nn.load(tmp_path / "flipped.npz")


def test_duplicate_member_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.npz"
    with pytest.warns(UserWarning, match="Duplicate"), zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", _npy("<f8", (1,), bytes(8)))
        archive.writestr("w.npy", _npy("<f8", (1,), bytes(8)))
    with pytest.raises(ValueError, match=r"twice\.npz.*'w'.*more than once"):
        nn.load(path)
