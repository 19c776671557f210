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
                # textual-serve shows a start screen; the app starts on click.
                page.wait_for_selector("body")
                page.mouse.click(550, 350)
                page.wait_for_function(
                    "() => document.body.innerText.includes('join code')", timeout=30_000
                )
                page.keyboard.type(srv.codes["alpha"])
                page.keyboard.press("Enter")
                page.wait_for_function(
                    "() => document.body.innerText.includes('Alpha')"
                    " || document.body.innerText.includes('alpha')",
                    timeout=30_000,
                )
                page.wait_for_function(
                    "() => document.body.innerText.includes('Situation')", timeout=30_000
                )
            finally:
                browser.close()
    finally:
        web.terminate()
        web.wait(timeout=15)
        srv.stop()
