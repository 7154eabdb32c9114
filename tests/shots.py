"""Full-page screenshots from the browser tests, for a person to look at: test artifacts
under test-results/screenshots/<area>/ (or $EQUALEX_SHOTS/<area>/), never committed."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


def shot(page, area: str, name: str) -> Path:
    folder = Path(os.environ.get("EQUALEX_SHOTS", ROOT)) / area
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
