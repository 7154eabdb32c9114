"""Charts drawn on the server as SVG: the same markup serves the page and the PDF."""

from html import escape


def bar_chart_svg(
    items, *, title: str, unit: str = "%", maximum: float = 100.0, width: int = 560
) -> str:
    """Horizontal bars. items: [(label, value or None)]; None is drawn as "no data"."""
    bar_height, gap, label_width = 18, 8, 150
    height = len(items) * (bar_height + gap) + 30
    chart_id = "chart-" + "".join(ch for ch in title.lower() if ch.isalnum())[:24]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    span = width - label_width - 60
    for index, (label, value) in enumerate(items):
        y = 10 + index * (bar_height + gap)
        parts.append(f'<text x="0" y="{y + 13}" fill="#1d1d1f">{escape(str(label))}</text>')
        if value is None:
            parts.append(f'<text x="{label_width}" y="{y + 13}" fill="#4a4a55">no data</text>')
            continue
        length = max(0.0, min(float(value) / maximum, 1.0)) * span
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" '
            f'height="{bar_height}" fill="#0b4f8a"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 13}" fill="#1d1d1f">'
            f"{value:g}{unit}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
