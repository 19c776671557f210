"""`sitroom web`: the join screen served to browsers by textual-serve, in front of a real
`sitroom serve`; Debian's chromium (driven by playwright) types a code and sees the seat."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.net.served import MINI, ROOT, env, free_port, serve

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def start_web(archive: Path, url: str, port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "web", url, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env(archive),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("sitroom web did not start within 30 s")


def test_web_serves_the_join_page(tmp_path: Path) -> None:
    srv = serve(tmp_path, MINI, "--seat", "alpha=human")
    port = free_port()
    web = start_web(srv.archive, srv.url, port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            page = r.read().decode()
        assert "sitroom" in page
        assert "/ws" in page  # the terminal's WebSocket, served by textual-serve
    finally:
        web.terminate()
        web.wait(timeout=15)
        srv.stop()


@pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason="needs Debian's chromium (.ci/run installs it)"
)
def test_a_browser_types_a_code_and_sees_the_seat(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    srv = serve(tmp_path, MINI, "--seat", "alpha=human")
    port = free_port()
    web = start_web(srv.archive, srv.url, port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, timeout=30_000)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 700})
                page.set_default_timeout(30_000)
                page.goto(f"http://127.0.0.1:{port}/")
                # The terminal is drawn on a canvas (xterm.js), so the page has no text to read:
                # the server's presence list is the witness that the browser's seat joined.
                page.wait_for_selector("body")
                page.mouse.click(550, 350)  # textual-serve starts the app on a click
                _wait_for_join_process(web.pid)
                # Keys sent before the app is up are lost: clear the field and type again
                # until the server sees the seat (bounded; a right code is never rate-limited).
                joined = False
                for _attempt in range(4):
                    time.sleep(3)
                    page.mouse.click(550, 98)  # the code field
                    if page.locator("textarea").count():
                        page.locator("textarea").first.focus()  # xterm.js reads keys here
                    page.keyboard.press("End")
                    page.keyboard.press("Control+u")
                    page.keyboard.type(srv.codes["alpha"], delay=30)
                    page.keyboard.press("Enter")
                    joined = _alpha_connected(srv.url, srv.codes["control"], 12)
                    if joined:
                        break
                page.screenshot(path=str(tmp_path / "seat.png"))
                assert joined
            finally:
                browser.close()
    finally:
        web.terminate()
        web.wait(timeout=15)
        srv.stop()


def _wait_for_join_process(parent: int, timeout: float = 30) -> None:
    import psutil

    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        kids = psutil.Process(parent).children(recursive=True)
        if any("join" in " ".join(k.cmdline()) for k in kids):
            return
        time.sleep(0.2)
    raise AssertionError("the browser did not start a `sitroom join` process")


def _alpha_connected(url: str, control_code: str, timeout: float) -> bool:
    from tests.net.served import run
    from ui.net.client import Connection

    async def check() -> bool:
        async with Connection(url, control_code) as control:
            give_up = time.monotonic() + timeout
            while time.monotonic() < give_up:
                p = control.presence
                if p is not None and p.seats["alpha"].connections >= 1:
                    return True
                await control.changed(timeout=0.5)
        return False

    # Playwright's sync API keeps an event loop on this thread: the client runs on another.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run, check(), timeout + 20).result()
