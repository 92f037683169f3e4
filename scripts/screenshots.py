#!/usr/bin/env python3
"""Screenshots of pages as a given user, for looking at the product as a person would.

    .venv/bin/python scripts/screenshots.py --user hr --lang zh-hans /dashboard/ /audit/

Writes PNG files into var/screenshots/. Needs a running server (make run).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="hr")
    parser.add_argument("--password", default="hrsuite-demo")
    parser.add_argument("--lang", default="zh-hans")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    out = Path("var/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": args.width, "height": 900}, locale=args.lang)
        context.add_cookies([{"name": "hrsuite_language", "value": args.lang, "url": args.base}])
        page = context.new_page()
        if args.user != "anonymous":
            page.goto(f"{args.base}/accounts/login/")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", args.password)
            page.click("form:has(input[name=password]) button[type=submit]")
            page.wait_for_load_state("networkidle")
        for path in args.paths:
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            name = f"{args.user}-{args.lang}-" + (re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "root") + ".png"
            page.screenshot(path=str(out / name), full_page=args.full)
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main()
