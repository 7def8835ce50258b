"""Renders a course's cover image, assets/sampul.png (640x360), from its hand-drawn media/sampul.svg.

    .venv/bin/python scripts/make_cover.py course_src/administrasi-pemerintahan-desa [...]

The SVG is rasterised with headless Chromium through Playwright (a test dependency of pamong-edx), so that the
LMS catalogue gets a PNG. Run it again after editing the SVG. Needs Debian's chromium at /usr/bin/chromium (or
set CHROMIUM). Building or testing a course does not.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTH, HEIGHT = 640, 360


def main(courses: list[str]) -> None:
    if not courses:
        sys.exit(__doc__)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        for course in map(Path, courses):
            source, target = course / "media" / "sampul.svg", course / "assets" / "sampul.png"
            if not source.is_file():
                sys.exit(f"{source}: not found; a course's cover is drawn in media/sampul.svg")
            page.goto(source.resolve().as_uri())
            page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})
            print(target)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
