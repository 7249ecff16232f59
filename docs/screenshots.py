"""Make the reading room's screenshots in docs/screenshots/: a desktop (1280×800) and a phone
(390×844), each showing the text, a point's history, a comparison and the cost form.

    PYTHONPATH=engine python docs/screenshots.py            # needs Chromium (apt-get install chromium) and playwright

It serves the API on a free loopback port in this process and drives Debian's Chromium through
Playwright, as tests/test_browser.py does; each view is opened by its permalink.
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
VIEWS = {  # name: (permalink, what to wait for)
    "text": ("?as_of=2021-01-01", "#text table.indicators"),
    "history": ("?as_of=2021-01-01&point=9.1.10", "#history h3"),
    "comparison": ("?from=2016-01-01&to=2021-01-01", "#diff .change"),
    "costs": ("?view=costs&as_of=2021-06-01", "#cost-form select[name=category] option"),
}
COST = {"activity": "2.4", "category": "7.1.3.3", "incurred_on": "14.09.2020", "paid_on": "30.09.2020",
        "amount": "640,00", "excess": "140,00"}  # line 6 of examples/kulud.csv


def serve():
    """The API on a free loopback port, in a daemon thread; returns its address."""
    import uvicorn

    from tat_engine.interfaces.http import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(400):
        if server.started:
            return f"http://127.0.0.1:{port}/"
        time.sleep(0.05)
    raise SystemExit("the server did not start")


def fill_cost(page) -> None:
    form = "#cost-form"
    page.select_option(f"{form} [name=activity]", COST["activity"])
    page.select_option(f"{form} [name=category]", COST["category"])
    for name in ("incurred_on", "paid_on", "amount", "excess"):
        page.fill(f"{form} [name={name}]", COST[name])
    page.click("#cost-button")
    page.wait_for_selector("#cost-result .verdict")


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    base = serve()
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for screen, viewport in SCREENS.items():
            for view, (query, ready) in VIEWS.items():
                page = browser.new_context(viewport=viewport).new_page()
                page.goto(base + query)
                page.wait_for_selector(ready, state="attached")
                if view == "costs":
                    fill_cost(page)
                    page.locator("#cost-result").scroll_into_view_if_needed()
                target = OUT / f"{screen}-{view}.png"
                page.screenshot(path=str(target))
                print(target.relative_to(OUT.parent.parent))
                page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
