"""Full-page screenshots from the browser tests, for a person to look at: test artifacts
under var/screenshots/<area>/ (or $EQUALEX_SHOTS/<area>/), never committed. Not under
test-results/: pytest-playwright empties that folder as each run starts."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def shot(page, area: str, name: str) -> Path:
    folder = Path(os.environ.get("EQUALEX_SHOTS", ROOT)) / area
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
