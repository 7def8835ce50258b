"""The dashboard in headless chromium: self-contained, error-free, 360 px wide, charts that match the tables,
readable without JavaScript, printable on A4; and a screenshot on desktop and on mobile."""

from __future__ import annotations

import base64
import struct

import pytest

from small_case import write_report

pytestmark = pytest.mark.browser

# Counts pixels of one colour along a horizontal line of a PNG, in the browser (no image library needed).
PIXELS_JS = """async ([data, y, x0, x1, rgb]) => {
  const img = new Image(); img.src = 'data:image/png;base64,' + data; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const row = g.getImageData(x0, y, x1 - x0, 1).data; let n = 0;
  for (let i = 0; i < row.length; i += 4) {
    if (Math.abs(row[i]-rgb[0]) < 40 && Math.abs(row[i+1]-rgb[1]) < 40 && Math.abs(row[i+2]-rgb[2]) < 40) n++;
  }
  const all = g.getImageData(0, 0, img.width, img.height).data; const seen = new Set();
  for (let i = 0; i < all.length; i += 4 * 97) seen.add(all[i] + ',' + all[i+1] + ',' + all[i+2]);
  return {count: n, width: img.width, height: img.height, colours: seen.size};
}"""
BAR_BLUE = (0x2B, 0x6C, 0xB0)


@pytest.fixture(scope="module")
def dashboards(tmp_path_factory, regions):
    from pamong_edx.report.snapshot import Snapshots
    from small_case import take_small_case

    folder = tmp_path_factory.mktemp("dashboards")
    with Snapshots(folder / "snapshots.sqlite3") as snaps:
        take_small_case(snaps, second=False)
        take_small_case(snaps, second=True)
        return {scope: write_report(snaps, regions, folder, scope=scope, kinds=("html",))["html"]
                for scope in ("", "18", "18.71")}


@pytest.fixture
def open_page(browser):
    contexts = []

    def opener(path, width=360, height=740, javascript=True):
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.requests, page.errors = [], []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())
        page.goto(path.as_uri())
        return page

    yield opener
    for context in contexts:
        context.close()


@pytest.mark.parametrize("scope", ["", "18", "18.71"])
def test_no_request_no_error_no_overflow_at_360_px(open_page, dashboards, scope):
    page = open_page(dashboards[scope])
    assert page.requests == [dashboards[scope].as_uri()]
    assert page.errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("document.body.scrollWidth") <= 360


def _table_values(page, column: str) -> dict[str, float]:
    """code -> the figure as the table prints it (Indonesian: 57,1%), per region row of every level table."""
    return page.evaluate("""(column) => {
        const out = {};
        document.querySelectorAll('table.data[data-level]').forEach(table => {
            const index = table.dataset.columns.split(' ').indexOf(column);
            table.querySelectorAll('tbody tr').forEach(row => {
                const text = row.children[index].textContent.trim().replace(/[.%+]/g, '').replace(',', '.');
                out[row.children[0].textContent.trim()] = text === '–' ? null : parseFloat(text);
            });
        });
        return out; }""", column)


def test_the_charts_bars_match_the_table(open_page, dashboards):
    page = open_page(dashboards["18"], width=1200, height=900)
    bars = page.evaluate("""Array.from(document.querySelectorAll('g.bar[data-chart=pass-rate]')).map(g =>
        [g.dataset.key, parseFloat(g.dataset.value), g.querySelector('rect').getBBox().width])""")
    table = _table_values(page, "pass_rate")
    assert [key for key, *_ in bars] == ["18.71", "18.01"]  # sorted by pass rate: 4/7, then 0
    longest = 165
    for key, value, width in bars:
        assert value * 100 == pytest.approx(table[key], abs=0.05)  # the table prints one decimal
        assert width == pytest.approx(value * longest, abs=0.2)
    reference = page.evaluate("parseFloat(document.querySelector('g.reference').dataset.value)")
    assert reference == pytest.approx(5 / 10)  # the national figure: 5 of 10 enrolled passed
    funnel = dict(page.evaluate("""Array.from(document.querySelectorAll('g.bar[data-chart=funnel]')).map(g =>
        [g.dataset.key, parseFloat(g.dataset.value)])"""))
    assert funnel == {"on_roster": 7, "enrolled": 8, "registered": 8, "started": 7, "posttest_done": 5, "passed": 4}
    dots = page.evaluate("""Array.from(document.querySelectorAll('g.pair')).map(g => [g.dataset.key,
        Object.fromEntries(Array.from(g.querySelectorAll('circle.dot')).map(c => [c.dataset.kind,
        parseFloat(c.dataset.value)]))])""")
    pre, post = _table_values(page, "pretest_median"), _table_values(page, "posttest_median")
    for key, values in dots[1:]:
        for kind, printed in (("pre", pre[key]), ("post", post[key])):
            assert (values.get(kind) is None) == (printed is None)
            if printed is not None:
                assert values[kind] * 100 == pytest.approx(printed, abs=0.05)


def test_readable_without_javascript_and_sortable_with_it(open_page, dashboards):
    page = open_page(dashboards["18.71"], javascript=False)
    assert page.locator("svg.chart").count() >= 3
    assert page.locator("table.data tbody tr").count() > 0
    assert page.locator("input.filter:visible").count() == 0
    page = open_page(dashboards["18.71"])
    table = page.locator("table[data-level='4']")
    codes = "rows => rows.map(r => r.children[0].textContent)"
    before = table.locator("tbody tr").evaluate_all(codes)
    table.locator("th button").nth(3).click()  # enrolled (after code, region, on roster), ascending
    ascending = table.locator("tbody tr").evaluate_all(codes)
    table.locator("th button").nth(3).click()  # then descending
    descending = table.locator("tbody tr").evaluate_all(codes)
    assert sorted(before) == sorted(ascending) and len(ascending) == 3
    assert ascending == ["18.71.01.1003", "18.71.02.1003", "18.71.01.1004"] and descending[0] == "18.71.01.1004"
    page.locator("input.filter").first.fill("kedaton")
    assert page.locator("table[data-level='3'] tbody tr:visible").count() == 1


def test_prints_on_a4(open_page, dashboards, tmp_path):
    page = open_page(dashboards["18"], width=794, height=1123)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= 794


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("width,height,name", [(1280, 900, "desktop"), (360, 740, "mobile")])
def test_screenshot(open_page, dashboards, tmp_path, width, height, name):
    """Render, keep the PNG beside the test, and hold the funnel as drawn to the figures: the blue run along
    each bar's middle is the bar's length."""
    page = open_page(dashboards["18.71"], width=width, height=height)
    shot = page.screenshot(full_page=True)
    (tmp_path / f"dashboard-{name}.png").write_bytes(shot)
    w, h = _png_size(shot)
    assert w == width and h > height
    scale = page.evaluate("window.devicePixelRatio")
    data = base64.b64encode(shot).decode("ascii")
    lengths = {}
    for bar in page.locator("g.bar[data-chart=funnel]").all():
        box = bar.locator("rect").bounding_box()
        key = bar.get_attribute("data-key")
        y = round((box["y"] + box["height"] / 2) * scale)
        found = page.evaluate(PIXELS_JS, [data, y, round(box["x"] * scale) - 2,
                                          round((box["x"] + box["width"]) * scale) + 6, list(BAR_BLUE)])
        assert found["colours"] > 20  # not blank: text, bars and backgrounds
        lengths[key] = found["count"]
        assert found["count"] == pytest.approx(box["width"] * scale, abs=3)
    # Kota Bandar Lampung: 6 on roster, 7 enrolled, 4 passed: the bars keep those proportions on screen
    assert lengths["passed"] / lengths["enrolled"] == pytest.approx(4 / 7, abs=0.03)
    assert lengths["on_roster"] / lengths["enrolled"] == pytest.approx(6 / 7, abs=0.03)
