"""The explorer page in a real browser: headless Chromium driven by Playwright's Python package.

The browser is Debian's ``chromium`` (``apt-get install chromium``; never a browser download),
found on PATH or named by ``AUTOGRAD_CHROMIUM``. Without Playwright or Chromium these tests skip
and say why. ``AUTOGRAD_UPDATE_IMAGES=1`` also saves the screenshot of the explorer
mid-backward-pass to docs/images/explorer.png (the picture in the README).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from viz_graphs import chain_of_neurons, neuron, used_twice

from autograd.viz import explore
from autograd.viz.explore import numbers

pytestmark = pytest.mark.browser
IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def _chromium() -> str | None:
    for candidate in (os.environ.get("AUTOGRAD_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: "
                                   'pip install -e ".[browser]" (no `playwright install`: Debian\'s chromium is used)')
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium found: apt-get install chromium (or set AUTOGRAD_CHROMIUM to its path)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Page:
    """A loaded explorer page, with every console message, page error, dialog and request it caused."""

    def __init__(self, browser: Any, path: Path, width: int = 1280, height: int = 640) -> None:
        self.messages: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", lambda m: self.messages.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)

    def step(self) -> int:
        return int(self.page.evaluate("document.body.dataset.step"))

    def panel(self) -> str:
        return str(self.page.inner_text("#panel"))


def test_the_page_loads_alone_shows_every_node_and_the_engines_gradients(browser, tmp_path) -> None:
    o, leaves = neuron(w2_label="<script>alert('w2')</script>")
    path = explore(o, tmp_path / "backprop.html")
    o.backward()                                                    # the engine's own gradients, to compare
    page = Page(browser, path)
    assert page.messages == [] and page.dialogs == []
    assert page.requests == [page.url]                              # nothing else was fetched
    names = page.page.eval_on_selector_all("g.node text.name", "els => els.map(e => e.textContent)")
    assert len(names) == 10 and {"x1", "w1", "x2", "b", "n", "o"} <= set(names)
    assert page.page.locator("g.node text.name", has_text="<script>alert").count() == 1  # shown as text
    page.page.click("#last")
    shown = dict(page.page.eval_on_selector_all(
        "#panel table tr", "rows => rows.slice(1).map(r => [...r.cells].map(c => c.textContent))"))
    assert shown == {leaf.label: numbers(leaf.grad) for leaf in leaves.values()}
    assert page.messages == [] and page.dialogs == []


def test_keys_and_buttons_step_forward_then_backward(browser, tmp_path) -> None:
    e, _, _ = used_twice()                          # 5 nodes: 5 forward steps, 5 backward steps, the end
    page = Page(browser, explore(e, tmp_path / "p.html"))
    assert page.step() == 0 and page.page.is_disabled("#prev")
    page.page.keyboard.press("ArrowRight")
    assert page.step() == 1 and "an input" in page.panel()
    page.page.click("#next")
    page.page.click("#next")
    page.page.keyboard.press("ArrowLeft")
    assert page.step() == 2
    page.page.keyboard.press("End")
    assert page.step() == 11 and page.page.is_disabled("#next")
    page.page.keyboard.press("Home")
    assert page.step() == 0
    for _ in range(6):                                 # the forward pass, then the first backward step
        page.page.keyboard.press("ArrowRight")
    assert page.page.evaluate("document.body.dataset.phase") == "backward"
    assert "e = d ** 2" in page.panel() and "d(x^y)/dx = y * x^(y - 1)" in page.panel()
    assert page.page.locator("g.node.current text.name").text_content() == "e"
    page.page.keyboard.press("ArrowRight")           # d = c + a: a receives its first contribution
    assert "-8 (1 of 2 received)" in page.panel()
    assert page.page.locator("g.node.target").count() == 2
    page.page.click("#next")                          # c = a * b: a's second, and its sum 16
    assert "16 (2 of 2 received)" in page.panel() and "d(x * y)/dx = y" in page.panel()
    page.page.click("#next")
    page.page.screenshot(path=str(tmp_path / "shot.png"))
    assert page.messages == []


def test_a_300_node_graph_loads_quickly_and_steps(browser, tmp_path) -> None:
    out = chain_of_neurons(300)
    path = explore(out, tmp_path / "big.html")
    start = time.perf_counter()
    page = Page(browser, path)
    page.page.wait_for_selector("g.node")
    assert page.page.locator("g.node").count() >= 300
    page.page.keyboard.press("End")
    loaded = time.perf_counter() - start
    assert loaded < 5.0, f"{loaded:.2f} s"
    for _ in range(20):
        page.page.keyboard.press("ArrowLeft")
    assert page.page.evaluate("document.body.dataset.phase") == "backward" and page.messages == []
    pane_width = page.page.evaluate("document.getElementById('graph-pane').clientWidth")
    full_width = float(page.page.get_attribute("#graph", "width"))
    page.page.keyboard.press("0")                                  # fit: the whole graph in the window
    assert float(page.page.get_attribute("#graph", "width")) <= pane_width < full_width
    page.page.click("#zoom-in")
    page.page.keyboard.press("+")
    assert float(page.page.evaluate("document.body.dataset.zoom")) > 0.01
    assert page.page.locator("g.node").count() >= 300 and page.messages == []


def test_the_readme_screenshot_mid_backward_pass(browser, tmp_path) -> None:
    o, _ = neuron()
    page = Page(browser, explore(o, tmp_path / "backprop.html"), width=1400, height=560)
    for _ in range(10 + 4):                           # the forward pass, then four nodes back (at x1*w1)
        page.page.keyboard.press("ArrowRight")
    assert "backward" in page.page.evaluate("document.body.dataset.phase")
    shot = tmp_path / "explorer.png"
    page.page.screenshot(path=str(shot))
    assert shot.read_bytes()[:4] == b"\x89PNG"
    if os.environ.get("AUTOGRAD_UPDATE_IMAGES", "") not in ("", "0"):
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, IMAGES / "explorer.png")
