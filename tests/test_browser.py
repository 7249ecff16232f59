"""The reading room in a real browser (Debian's Chromium, driven by Playwright)."""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOT = os.environ.get("TAT_SCREENSHOT")  # where to keep a screenshot, e.g. docs/reading-room.png

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("TAT_SKIP_BROWSER") == "1",
    reason="no Chromium on this machine and TAT_SKIP_BROWSER=1 (.ci/run installs it from Debian's packages)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from tat_engine.interfaces.http import create_app

    os.environ.setdefault("TAT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server):
    assert CHROMIUM, "Chromium is not installed; .ci/run installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(server)
        yield page
        browser.close()


def test_the_reading_room_reads_a_date_a_history_and_a_comparison(page):
    page.wait_for_selector('#text .point[data-label="11.3"]')
    assert "30 kalendripäeva" in page.inner_text('#text .point[data-label="11.3"]')
    assert "assumed" in page.inner_text("#timeline")

    page.fill("#on", "2016-01-01")
    page.dispatch_event("#on", "change")
    page.wait_for_function("document.querySelector('#text .point[data-label=\"11.3\"]').className.includes('unknown')")
    assert "wording not in the sources" in page.inner_text('#text .point[data-label="11.3"]')

    page.fill("#on", "2021-01-01")
    page.dispatch_event("#on", "change")
    page.wait_for_function("!document.querySelector('#text .point[data-label=\"11.3\"]').className.includes('unknown')")
    page.click('#text .point[data-label="9.1.10"]')
    page.wait_for_selector("#history h3")
    history = page.inner_text("#history")
    assert "9.1.11@1-3/170" in history and "renumbered" in history

    page.fill("#compare", "2019-06-01")
    page.click("#compare-button")
    page.wait_for_selector('#diff .change[data-label="11.3"] ins')
    change = page.inner_text('#diff .change[data-label="11.3"]')
    assert "reworded" in change and "30" in page.inner_text('#diff .change[data-label="11.3"] ins')

    page.click("#cost-button")
    page.wait_for_selector("#cost-result .verdict")
    assert "eligible" in page.inner_text("#cost-result")
    if SHOT:
        Path(SHOT).parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=SHOT)


def test_the_reading_room_shows_the_preamble_the_tables_and_the_repealed_annexes(page):
    page.fill("#on", "2021-01-01")
    page.dispatch_event("#on", "change")
    page.wait_for_selector("#text table.budget")
    assert page.inner_text("#text .preamble").startswith("Käskkiri kehtestatakse perioodi 2014–2020")
    assert "965 608" in page.inner_text("#text table.budget")
    assert "Toetatav tegevus 2.4. Maakondliku" in page.inner_text('#text table.indicators th[colspan="10"] >> nth=3')
    annex = page.inner_text('#text .point[data-label="Lisa 1"]')
    assert "Toetatavate tegevuste tegevuskava vorm" in annex and "tunnistatud kehtetuks" in annex
