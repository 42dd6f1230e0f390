"""`casepub preview` in a real browser (Debian's chromium, driven by Playwright; no download): the page follows
the saves without a reload, shows the diagnostics over the last good article and takes them away when the case is
fixed, links the PDF with its page count, says when the case folder is gone and goes on when it is back; the
server serves nothing but the case's outputs, survives hostile requests, and stops on SIGINT with exit code 0,
its renderers ended and its temporary folder removed. Timings are the benchmark's (bench/preview_bench.py):
here every wait is for what the page shows, with a time limit only as a backstop."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REFERENCE, edit, needs_chromium

pytestmark = needs_chromium
WAIT = 20_000  # ms: the backstop of every wait on the page (a render takes well under a second)
TITLE = "Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty"
DISCLOSURE = "    disclosure: Nothing to disclose.\n"  # Wentao Wang's, the first one


@dataclass
class Preview:
    process: subprocess.Popen[str]
    url: str
    folder: Path
    temporary: Path  # the TMPDIR the server was given: its private output folder is made there

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def renderers(self) -> list[int]:
        """The server's child processes (its two renderers)."""
        found = []
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = status.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(status.parent.name))
        return found


def start(folder: Path, temporary: Path) -> Preview:
    temporary.mkdir(exist_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "casepub.preview", str(folder), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=os.environ | {"TMPDIR": str(temporary)})
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("casepub preview: http://127.0.0.1:"), line + (process.stderr.read() if process.stderr else "")
    return Preview(process, line.split()[2], folder, temporary)


def stop(preview: Preview) -> int:
    preview.process.send_signal(signal.SIGINT)
    return preview.process.wait(timeout=20)


@pytest.fixture(scope="module")
def preview(tmp_path_factory) -> Iterator[Preview]:
    root = tmp_path_factory.mktemp("preview")
    folder = root / "case"
    shutil.copytree(REFERENCE, folder)
    running = start(folder, root / "tmp")
    yield running
    if running.process.poll() is None:
        stop(running)



@pytest.fixture
def page(browser, preview):
    opened = browser.new_page()
    opened.set_default_timeout(WAIT)
    opened.goto(preview.url)
    yield opened
    opened.close()


def overlay(page):
    return page.locator("casepub-preview .overlay")  # Playwright's CSS locators go into the open shadow root


def test_the_page_follows_the_saves_without_a_reload(preview, page):
    from playwright.sync_api import expect

    expect(page.locator("h1#title")).to_have_text(TITLE)
    page.evaluate("window.notReloaded = true")
    edit(preview.folder, f"title: {TITLE}", "title: Vertebral osteonecrosis after vertebroplasty")
    expect(page.locator("h1#title")).to_have_text("Vertebral osteonecrosis after vertebroplasty")
    expect(page).to_have_title("Vertebral osteonecrosis after vertebroplasty")
    assert page.evaluate("window.notReloaded") is True  # swapped in, not reloaded
    edit(preview.folder, "title: Vertebral osteonecrosis after vertebroplasty", f"title: {TITLE}")
    expect(page.locator("h1#title")).to_have_text(TITLE)


def test_errors_show_over_the_last_good_article_and_go_when_fixed(preview, page):
    from playwright.sync_api import expect

    expect(page.locator("h1#title")).to_have_text(TITLE)
    edit(preview.folder, DISCLOSURE, "")
    expect(overlay(page)).to_be_visible()
    expect(overlay(page).locator("li")).to_have_count(1)
    item = overlay(page).locator("li")
    expect(item).to_contain_text('case/case.md:6:5 error CP021 author "Wentao Wang" has no disclosure')
    expect(item).to_contain_text("hint: add `disclosure: Nothing to disclose.` or the author's disclosures")
    assert item.locator("a").get_attribute("href") == f"vscode://file{preview.folder / 'case.md'}:6:5"
    expect(page.locator("h1#title")).to_have_text(TITLE)  # the last good article stays underneath
    edit(preview.folder, "    affiliations: [spine]\n", "    affiliations: [spine]\n" + DISCLOSURE)
    expect(overlay(page)).to_be_hidden()
    expect(page.locator("h1#title")).to_have_text(TITLE)


def test_a_case_with_errors_from_the_start_shows_its_diagnostics_alone(tmp_path, browser):
    from playwright.sync_api import expect

    folder = tmp_path / "broken"
    shutil.copytree(REFERENCE, folder)
    edit(folder, DISCLOSURE, "")
    running = start(folder, tmp_path / "tmp")
    try:
        opened = browser.new_page()
        opened.set_default_timeout(WAIT)
        opened.goto(running.url)
        expect(overlay(opened)).to_contain_text("broken/case.md:6:5 error CP021")
        expect(overlay(opened)).to_contain_text("No rendering without errors yet.")
        expect(opened.locator("h1#title")).to_have_count(0)
        edit(folder, "    affiliations: [spine]\n", "    affiliations: [spine]\n" + DISCLOSURE)
        expect(opened.locator("h1#title")).to_have_text(TITLE)
        expect(overlay(opened)).to_be_hidden()
        opened.close()
    finally:
        stop(running)


def test_a_half_written_image_is_never_shown_as_valid(preview, page):
    from playwright.sync_api import expect

    expect(page.locator("h1#title")).to_have_text(TITLE)
    image = preview.folder / "figures" / "a-mri-t2.png"
    whole = image.read_bytes()
    with image.open("wb") as half:  # a copy caught halfway: the watch fires while the file is still open
        half.write(whole[: len(whole) // 2])
        half.flush()
        expect(overlay(page)).to_contain_text("case/case.md:56:27 error CP056 panel A image: "
                                              "'figures/a-mri-t2.png' is damaged and cannot be decoded")
        half.write(whole[len(whole) // 2:])
    expect(overlay(page)).to_be_hidden()


def test_a_burst_of_saves_renders_once_or_twice_and_shows_the_last(preview, page):
    from playwright.sync_api import expect

    expect(page.locator("h1#title")).to_have_text(TITLE)
    expect(overlay(page)).to_be_hidden()
    before = status(preview)["renders"]
    title = TITLE
    for n in range(50):
        edit(preview.folder, f"title: {title}", f"title: Save {n} of 50")
        title = f"Save {n} of 50"
    expect(page.locator("h1#title")).to_have_text("Save 49 of 50")
    assert status(preview)["renders"] - before <= 3
    edit(preview.folder, f"title: {title}", f"title: {TITLE}")
    expect(page.locator("h1#title")).to_have_text(TITLE)


def status(preview: Preview) -> dict:
    """The server's status now: the first message of its event stream."""
    with urllib.request.urlopen(preview.url + "_preview/events", timeout=10) as stream:
        for raw in stream:
            if raw.startswith(b"data: "):
                return json.loads(raw[6:])
    raise AssertionError("the event stream ended without a status")


def test_the_pdf_is_linked_with_its_page_count(preview, page):
    from playwright.sync_api import expect

    link = page.locator("casepub-preview a.pdf-link")
    expect(link).to_have_text("PDF · 1 page")
    href = link.get_attribute("href")
    assert href is not None and href.startswith("/case.pdf?v=")
    with urllib.request.urlopen(preview.url + href.lstrip("/")) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"


def test_a_deleted_case_folder_is_shown_and_the_preview_resumes_when_it_is_back(preview, page):
    from playwright.sync_api import expect

    expect(page.locator("h1#title")).to_have_text(TITLE)
    aside = preview.folder.with_name("aside")
    preview.folder.rename(aside)
    try:
        expect(overlay(page)).to_contain_text("The case folder is missing")
        expect(page.locator("h1#title")).to_have_text(TITLE)
    finally:
        aside.rename(preview.folder)
    expect(overlay(page)).to_be_hidden()
    edit(preview.folder, f"title: {TITLE}", "title: Back again")
    expect(page.locator("h1#title")).to_have_text("Back again")
    edit(preview.folder, "title: Back again", f"title: {TITLE}")
    expect(page.locator("h1#title")).to_have_text(TITLE)


def status_of(preview: Preview, path: str, headers: dict[str, str] | None = None) -> int:
    """The status of a GET of `path` sent as it is (no client normalises it)."""
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{preview.port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/../case.md", "/..%2fcase.md", "/%2e%2e/case.md", "/%2E%2E/%2E%2E/etc/passwd",
                                  "/figures/../../case/case.md", "//etc/passwd", "/%2fetc/passwd", "/etc/passwd",
                                  "/figures/..", "/./index.html", "/figures", "/..\\case.md", "/%00", "/.cache/",
                                  "/figures/.hidden", "/case.md", "/outside.txt"])
def test_only_the_outputs_are_served(preview, path):
    outside = preview.folder.parent / "outside.txt"
    outside.write_text("not an output", encoding="utf-8")
    assert status_of(preview, "/") == 200
    assert status_of(preview, path) == 404


def test_a_symlink_out_of_the_outputs_is_not_followed(preview):
    served = next(preview.temporary.glob("casepub-preview-*")) / "case"
    assert (served / "index.html").is_file()
    (served / "outside-link").symlink_to(preview.folder / "case.md")
    (served / "inside-link").symlink_to(served / "index.html")
    try:
        assert status_of(preview, "/outside-link") == 404
        assert status_of(preview, "/inside-link") == 200
    finally:
        (served / "outside-link").unlink()
        (served / "inside-link").unlink()


def test_hostile_requests_do_not_take_the_server_down(preview):
    assert status_of(preview, "/", {"Host": "evil.example"}) == 400  # a rebound domain name
    slow = socket.create_connection(("127.0.0.1", preview.port))
    slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and nothing more
    huge = socket.create_connection(("127.0.0.1", preview.port))
    huge.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: " + b"a" * 200_000 + b"\r\n\r\n")
    try:
        reply = huge.recv(100)
    except ConnectionResetError:
        reply = b""
    assert reply.startswith((b"HTTP/1.1 431", b"HTTP/1.1 400")) or reply == b"", reply
    assert status_of(preview, "/") == 200  # while the slow client still holds its connection
    slow.close()
    huge.close()
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(urllib.request.Request(preview.url, method="POST", data=b"x"))
    assert error.value.code == 405


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_it_stops_on_a_signal_with_nothing_left_behind(tmp_path, signum):
    folder = tmp_path / "case"
    shutil.copytree(REFERENCE, folder)
    running = start(folder, tmp_path / "tmp")
    assert status_of(running, "/") == 200
    children = running.renderers()
    assert len(children) == 2
    assert len(list(running.temporary.iterdir())) == 1  # its private output folder
    events = urllib.request.urlopen(running.url + "_preview/events", timeout=10)  # a page still open
    running.process.send_signal(signum)
    assert running.process.wait(timeout=20) == 0
    events.close()
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert list(running.temporary.iterdir()) == []
    assert running.process.stderr is not None and running.process.stderr.read() == ""
