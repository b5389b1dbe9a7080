"""The page in a real browser: headless Chromium, driven by Playwright, against uvicorn on 127.0.0.1.

Needs a Chromium (``/usr/bin/chromium`` from Debian's ``chromium`` package, or the path in
``RNNKIT_CHROMIUM``) and the ``playwright`` Python package; Playwright's own browser download is not
used. Without them the test skips with the reason, unless ``RNNKIT_REQUIRE_BROWSER=1`` (set by CI),
which turns the skip into a failure. ``RNNKIT_SCREENSHOT=docs/img/serve.png`` keeps a copy of the
screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless on a machine with no display and a closed network: without the background-networking flags
# Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 10_000


def _need(reason: str) -> None:
    if os.environ.get("RNNKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RNNKIT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    path = os.environ.get("RNNKIT_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if not path:
        _need("no Chromium found (apt-get install chromium, or set RNNKIT_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _need("the playwright Python package is not installed (pip install playwright)")
    return path


@pytest.fixture(scope="module")
def base_url(app):
    """uvicorn serving ``app`` in a thread, on a free port of 127.0.0.1."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.mark.slow
def test_typing_shows_suggestions_accepting_one_and_a_sentiment_badge(app, base_url, tmp_path):
    executable = _chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 820, "height": 760})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(base_url + "/")
            box = page.locator("#text")
            chips = page.locator("#suggestions button")

            box.press_sequentially("I go to", delay=0)
            box.press("Tab")  # at once, before the answer for "I go to" is in: it waits for it
            expect(box).to_have_value(re.compile(r"^I go to\S* $"))

            box.fill("")
            box.press_sequentially("I go to", delay=20)
            expect(page.locator("#suggestions")).to_have_attribute("data-text", "I go to")
            expect(chips.first).to_be_visible()
            first = chips.first.get_attribute("data-word")
            assert first.lower().startswith("to")  # completions of "to"
            box.press("Tab")  # accepts the first: the word and a space
            expect(box).to_have_value(f"I go {first} ")
            box.fill("I go to ")  # fires input, as typing does
            school = chips.filter(has_text="school")  # a next word after "I go to "
            expect(school).to_be_visible()
            school.click()
            expect(box).to_have_value("I go to school ")

            box.press_sequentially("and it is wonderful", delay=20)
            expect(page.locator("#badge")).to_have_attribute("data-label", "Positive")
            expect(page.locator("#tokens span").first).to_be_visible()
            assert "wonderful" in page.locator("#tokens").inner_text().lower()
            expect(page.locator("#status")).to_contain_text("next word: bundled")
            expected = app.state.served.products["tagger"].tag(box.input_value())
            tagged = page.locator("#tags .tagged")
            expect(tagged).to_have_count(len(expected))
            expect(tagged.last).to_have_attribute("data-tag", expected[-1][1])
            assert [(w.get_attribute("data-tag")) for w in tagged.all()] == [tag for _, tag in expected]
            assert page.locator("#tags .word").all_inner_texts() == [word for word, _ in expected]

            page.fill("#tr-text", "She is reading a book in the garden.")
            page.press("#tr-text", "Enter")
            expect(page.locator("#tr-out")).to_have_attribute("data-state", "done")
            french = app.state.served.products["translator"].translate("She is reading a book in the garden.")
            assert page.locator("#tr-out").inner_text() == french["translation"]

            page.select_option("#gen-model", "Positive")  # a review of that sentiment, a fixed seed
            page.fill("#gen-length", "120")
            page.fill("#gen-seed", "3")
            page.click("#gen-go")
            expect(page.locator("#gen-out")).to_have_attribute("data-state", "done")
            review = app.state.served.products["reviews"].generate("", 120, seed=3, label="Positive")
            assert page.locator("#gen-out").inner_text() == review["text"]

            page.mouse.move(0, 0)  # no hover highlight in the picture
            shot = page.screenshot(path=str(tmp_path / "serve.png"), full_page=True)
            assert shot[:8] == b"\x89PNG\r\n\x1a\n"
            if os.environ.get("RNNKIT_SCREENSHOT"):
                Path(os.environ["RNNKIT_SCREENSHOT"]).write_bytes(shot)
        finally:
            browser.close()
