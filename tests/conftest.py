"""Fixtures every area shares: the Kemendagri region file from ../shared, read once per test session; English
messages."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pamong_edx.regions import load_regions

WILAYAH = Path(__file__).resolve().parents[2] / "shared" / "data" / "wilayah_2025.csv"
MAKE_ROSTER = WILAYAH.parents[1] / "tools" / "make_roster.py"

# Messages in English whatever the machine's locale or a pamong.toml around says: tests read English output.
# Tests of the language choice set their own environment.
os.environ["PAMONG_LANG"] = "en"


@pytest.fixture(scope="session")
def wilayah() -> Path:
    if not WILAYAH.is_file():
        pytest.fail(f"region file {WILAYAH} is missing: these tests need ../shared/data/wilayah_2025.csv")
    return WILAYAH


@pytest.fixture(scope="session")
def regions(wilayah):
    return load_regions(wilayah)


@pytest.fixture(scope="session", autouse=True)
def cache_folder_of_the_session(tmp_path_factory):
    """The toolkit keeps caches in the user's cache folder (the parsed region file, ...); tests keep theirs in a
    temporary one."""
    folder = tmp_path_factory.mktemp("pamong-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("PAMONG_CACHE_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture(scope="session")
def make_roster(tmp_path_factory):
    """make_roster(rows=, seed=, province=, messy=) -> path of the CSV the shared tool writes (cached)."""
    made: dict[tuple, Path] = {}
    folder = tmp_path_factory.mktemp("rosters")

    def make(rows: int, seed: int, province: str | None = None, messy: float = 0.0) -> Path:
        key = (rows, seed, province, messy)
        if key not in made:
            args = [sys.executable, str(MAKE_ROSTER), "--rows", str(rows), "--seed", str(seed), "--messy", str(messy)]
            if province:
                args += ["--province", province]
            path = folder / f"roster-{rows}-{seed}-{province}-{messy}.csv"
            path.write_bytes(subprocess.run(args, check=True, capture_output=True).stdout)
            made[key] = path
        return made[key]

    return make


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian chromium for the session, through playwright (its sync API allows one instance per
    thread, so every browser test shares it; each test area opens its own contexts)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--headless=new", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                  "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def i18n_tools():
    """scripts/i18n.py (not a package, so loaded by path): extraction, catalogue checks, the English-words check."""
    name = "pamong_i18n_tools"
    if name not in sys.modules:
        script = Path(__file__).resolve().parents[1] / "scripts" / "i18n.py"
        spec = importlib.util.spec_from_file_location(name, script)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def messages(i18n_tools):
    """Every message of the sources (and click's), extracted once."""
    return i18n_tools.extract()
