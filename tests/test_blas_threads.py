"""nn.set_num_threads / get_num_threads / num_threads: BLAS threads through threadpoolctl."""

import pytest

import nn
import nn.threads

threadpoolctl = pytest.importorskip("threadpoolctl", reason="threadpoolctl is an optional dependency")


def test_set_num_threads_returns_the_previous_count_and_sets_the_new_one() -> None:
    before = nn.get_num_threads()
    try:
        assert nn.set_num_threads(1) == before
        assert nn.get_num_threads() == 1
    finally:
        nn.set_num_threads(before)
    assert nn.get_num_threads() == before


def test_num_threads_restores_the_count_after_the_block() -> None:
    before = nn.get_num_threads()
    with nn.num_threads(1):
        assert nn.get_num_threads() == 1
    assert nn.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_a_bad_count_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ValueError, match="positive int"):
        nn.set_num_threads(bad)  # type: ignore[arg-type]


def test_without_threadpoolctl_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nn.threads, "threadpoolctl", None)
    with pytest.raises(ImportError, match="pip install threadpoolctl"):
        nn.set_num_threads(1)
    with pytest.raises(ImportError, match="pip install threadpoolctl"):
        nn.get_num_threads()
