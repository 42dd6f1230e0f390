"""Benchmark `casepub preview` in a real browser (Debian's chromium through Playwright) on a copy of the
reference case.

    .venv/bin/python bench/preview_bench.py [--edits 20] [--memory-edits 200]

Prints:
- save to updated page: from just before case.md is written (a new title, written in place as most editors
  do) to the moment the page has swapped in the new article (the page's own clock, Date.now(), the same clock
  as the benchmark's time.time()); median and worst of --edits edits, one at a time (each after the PDF of the
  one before: a save less than BURST after a render is a burst's, casepub/preview/session.py, and waits for
  the saves to stop). Goal: median <= 300 ms.
- save to refreshed PDF link: to the moment the page shows the link to the PDF of that save, with its page
  count (a MutationObserver in the page notes it). Goal: median <= 1.0 s on the reference case.
- 50 saves in one second: how many HTML renders they made, and whether the page shows the last title.
- memory: the resident set (VmRSS) of the server and of its two renderers before and after --memory-edits
  more edits (each waited for on the page, PAUSE after the one before); flat means that none of them grows
  with the edits (the renderers are also replaced after RECYCLE_AFTER renders, casepub/preview/worker.py).
"""
from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "cases" / "t12-osteonecrosis"
CHROMIUM = Path("/usr/bin/chromium")
PAUSE = 0.3  # seconds between the memory edits: each one renders at once (not a burst)
TITLE = "Severe vertebra collapse due to vertebra osteonecrosis after percutaneous vertebroplasty"
WATCH_PDF = """() => {
  window.pdfSeen = {};
  const root = document.querySelector("casepub-preview").shadowRoot;
  const look = () => {
    const link = root.querySelector("a.pdf-link");
    if (!link) return;
    const version = new URL(link.href).searchParams.get("v");
    if (!(version in window.pdfSeen)) window.pdfSeen[version] = Date.now();
  };
  new MutationObserver(look).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  look();
}"""


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def renderers(pid: int) -> dict[str, int]:
    """The server's renderers by role ("html", "pdf": the last word of their command line)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found[stat.with_name("cmdline").read_bytes().split(b"\0")[-2].decode()] = int(stat.parent.name)
        except (OSError, IndexError, ValueError):
            continue
    return found


def status(url: str) -> dict:
    """The server's status now: the first message of its event stream."""
    with urllib.request.urlopen(url + "_preview/events", timeout=10) as stream:
        for raw in stream:
            line = raw.decode()
            if line.startswith("data: "):
                return json.loads(line[6:])
    raise RuntimeError("no status")


class Case:
    def __init__(self, folder: Path) -> None:
        self.file = folder / "case.md"
        self.title = TITLE

    def retitle(self, title: str) -> float:
        """Write the new title in place; the time just before the write."""
        text = self.file.read_text(encoding="utf-8").replace(f"title: {self.title}", f"title: {title}", 1)
        self.title = title
        saved = time.time()
        self.file.write_text(text, encoding="utf-8")
        return saved


def html_edit(page, case: Case, title: str) -> tuple[float, float, int]:
    """One edit, waited for on the page: when it was saved and when the page had it (ms, the page's clock), and
    the number of the article the page then shows."""
    saved = case.retitle(title) * 1000
    page.wait_for_function("title => document.querySelector('h1#title')?.textContent === title", arg=title,
                           polling="raf", timeout=20_000)
    shown = page.evaluate("window.casepubPreview")
    return saved, shown["updatedAt"], shown["article"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--memory-edits", type=int, default=200)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print("Debian's chromium is not installed (/usr/bin/chromium): nothing measured")
        return 1
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="preview-bench-"))
    folder = work / CASE.name
    shutil.copytree(CASE, folder)
    server = subprocess.Popen([sys.executable, "-m", "casepub.preview", str(folder), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[2]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("document.querySelector('h1#title')")
            page.wait_for_function("() => document.querySelector('casepub-preview').shadowRoot.querySelector('a.pdf-link')",
                                   timeout=30_000)
            page.evaluate(WATCH_PDF)
            measure(page, Case(folder), url, server.pid, args)
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=30)
        shutil.rmtree(work)
    print(f"server stopped on SIGINT: exit code {code}")
    return 0


def measure(page, case: Case, url: str, pid: int, args: argparse.Namespace) -> None:
    html, pdf = [], []
    for n in range(args.edits):
        saved, updated, article = html_edit(page, case, f"Edit {n}, vertebra osteonecrosis after vertebroplasty")
        html.append(updated - saved)
        page.wait_for_function("n => window.pdfSeen[n]", arg=str(article), polling="raf", timeout=30_000)
        pdf.append(page.evaluate("n => window.pdfSeen[n]", str(article)) - saved)
    print(f"save to updated page (HTML), {args.edits} edits: median {statistics.median(html):.0f} ms, "
          f"worst {max(html):.0f} ms (goal: median <= 300 ms)")
    print(f"save to refreshed PDF link, {args.edits} edits: median {statistics.median(pdf):.0f} ms, "
          f"worst {max(pdf):.0f} ms (goal: median <= 1000 ms)")
    burst(page, case, url)
    memory(page, case, pid, args.memory_edits)


def burst(page, case: Case, url: str) -> None:
    before = status(url)["renders"]
    started = time.time()
    for n in range(50):
        case.retitle(f"Burst {n}, vertebra osteonecrosis after vertebroplasty")
        time.sleep(max(0.0, started + (n + 1) / 50 - time.time()))
    page.wait_for_function("title => document.querySelector('h1#title')?.textContent === title", arg=case.title,
                           polling="raf", timeout=20_000)
    time.sleep(2)  # any render still to come
    renders = status(url)["renders"] - before
    shown = page.locator("h1#title").text_content()
    print(f"50 saves in {time.time() - started - 2:.2f} s: {renders} HTML renders; the page shows the last title: "
          f"{shown == case.title}")


def memory(page, case: Case, pid: int, edits: int) -> None:
    def sample() -> str:
        found = renderers(pid)
        return (f"server {rss_kb(pid) / 1024:.1f} MB, HTML renderer {rss_kb(found['html']) / 1024:.1f} MB, "
                f"PDF renderer {rss_kb(found['pdf']) / 1024:.1f} MB")

    print(f"memory (VmRSS) after the edits above: {sample()}")
    for n in range(edits):
        time.sleep(PAUSE)
        html_edit(page, case, f"Memory {n}, vertebra osteonecrosis after vertebroplasty")
        if (n + 1) % 50 == 0:
            print(f"  after {n + 1} more edits: {sample()}")


if __name__ == "__main__":
    sys.exit(main())
