"""Renders the course image assets/sampul.png (640x360) from media/sampul.svg.

The cover is drawn by hand in media/sampul.svg; this script only rasterises it with headless Chromium
through Playwright (a test dependency of pamong-edx), so that the LMS catalogue gets a PNG. Run it again
after editing the SVG:

    .venv/bin/python course_src/perencanaan-pembangunan-desa/media/make_cover.py

Needs Debian's chromium at /usr/bin/chromium (or set CHROMIUM). Building or testing the course does not.
"""

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

MEDIA = Path(__file__).resolve().parent
SOURCE, TARGET = MEDIA / "sampul.svg", MEDIA.parent / "assets" / "sampul.png"
WIDTH, HEIGHT = 640, 360

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.goto(SOURCE.as_uri())
    page.screenshot(path=str(TARGET), clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT})
    browser.close()
print(TARGET)
