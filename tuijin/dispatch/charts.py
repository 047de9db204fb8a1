"""PNG charts for the monthly notice (DOCX and PDF), drawn with Pillow in the Noto CJK font so Chinese renders.

Two charts: `unit_rate_chart` (horizontal bars of each unit's % of the annual plan, with the 序时进度 line) and
`trend_chart` (monthly completed investment as bars, the cumulative completion as a line, the plan line dashed).
The font is "Noto Sans CJK SC" (Debian fonts-noto-cjk); another CJK font can be set with TUIJIN_CHART_FONT
(path to a .ttf/.otf/.ttc). Without any CJK font the charts still draw, with Pillow's default font.
"""

import io
import math
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

__all__ = ["FONT_CANDIDATES", "chart_font", "nice_ticks", "tick_label", "trend_chart", "unit_rate_chart"]

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)
FAMILY = "Noto Sans CJK SC"

BLUE = (47, 107, 194)
LIGHT_BLUE = (150, 185, 230)
ORANGE = (230, 120, 30)
RED = (200, 50, 50)
GREEN = (40, 150, 80)
GREY = (120, 120, 120)
LIGHT_GREY = (225, 225, 225)
BLACK = (30, 30, 30)
WHITE = (255, 255, 255)


def _load(path: str, size: int) -> ImageFont.FreeTypeFont | None:
    """The Simplified Chinese face of a font file (a .ttc holds JP/KR/SC/TC/HK faces), else its first face."""
    first = None
    for index in range(10):
        try:
            font = ImageFont.truetype(path, size, index=index)
        except OSError:
            break
        first = first or font
        if font.getname()[0] == FAMILY:
            return font
    return first


@lru_cache(maxsize=16)
def chart_font(size: int):
    """The CJK chart font at `size` px (cached)."""
    configured = getattr(settings, "TUIJIN_CHART_FONT", "") or ""
    for path in (configured, *FONT_CANDIDATES):
        if path and Path(path).exists():
            font = _load(path, size)
            if font is not None:
                return font
    return ImageFont.load_default(size)


def nice_ticks(maximum: float, *, most: int = 6) -> list[float]:
    """Round axis ticks from 0 covering `maximum`: steps of 1, 2, 2.5 or 5 × 10ⁿ, at most `most` intervals
    (79 → 0, 20, 40, 60, 80; 3.4 → 0, 1, 2, 3, 4)."""
    maximum = max(float(maximum), 1e-9)
    magnitude = 10 ** math.floor(math.log10(maximum / most))
    for factor in (1, 2, 2.5, 5, 10, 20, 25, 50):
        step = factor * magnitude
        if math.ceil(maximum / step - 1e-9) <= most:
            break
    count = max(1, math.ceil(maximum / step - 1e-9))
    return [round(step * i, 10) for i in range(count + 1)]


def tick_label(value: float) -> str:
    """A tick as written: 20 → "20", 2.5 → "2.5", 1000 → "1,000"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.10f}".rstrip("0").rstrip(".")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _text_width(draw: ImageDraw.ImageDraw, text: str, font) -> float:
    return draw.textlength(text, font=font)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> str:
    """`text` shortened with … to fit `width` pixels."""
    if _text_width(draw, text, font) <= width:
        return text
    while text and _text_width(draw, text + "…", font) > width:
        text = text[:-1]
    return text + "…"


def _dashed_line(draw: ImageDraw.ImageDraw, points: Sequence[tuple[float, float]], fill, width: int = 2) -> None:
    dash, gap = 8, 6
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        if not length:
            continue
        position = 0.0
        while position < length:
            end = min(position + dash, length)
            draw.line(
                [
                    (x1 + (x2 - x1) * position / length, y1 + (y2 - y1) * position / length),
                    (x1 + (x2 - x1) * end / length, y1 + (y2 - y1) * end / length),
                ],
                fill=fill,
                width=width,
            )
            position += dash + gap


def unit_rate_chart(
    rows: Sequence[tuple[str, Decimal | None]], schedule: Decimal, *, title: str, schedule_label: str
) -> bytes:
    """Horizontal bars: each unit's completion % of its annual plan; a vertical line at the 序时进度.

    Bars at or above the schedule are green, below it orange, more than 10 points below red.
    """
    font, small, heading = chart_font(22), chart_font(18), chart_font(28)
    bar, gap = 30, 12
    left, right, top, bottom = 260, 120, 80, 50
    width = 1600
    height = top + bottom + max(len(rows), 1) * (bar + gap)
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((width / 2, 20), title, font=heading, fill=BLACK, anchor="mt")
    values = [float(v) for _label, v in rows if v is not None]
    ticks = nice_ticks(max([100.0, float(schedule), *values]))
    scale_max = ticks[-1] * 1.06  # room for the value labels right of the longest bar
    plot = width - left - right

    def x(value: float) -> float:
        return left + plot * value / scale_max

    for tick in ticks:
        draw.line([(x(tick), top - 8), (x(tick), height - bottom)], fill=LIGHT_GREY, width=1)
        draw.text((x(tick), height - bottom + 8), f"{tick_label(tick)}%", font=small, fill=GREY, anchor="mt")
    sx = x(float(schedule))
    _dashed_line(draw, [(sx, top - 10), (sx, height - bottom)], BLUE, width=3)
    shown_schedule = tick_label(round(float(schedule), 2))
    draw.text((sx, top - 14), f"{schedule_label} {shown_schedule}%", font=small, fill=BLUE, anchor="mb")
    for index, (label, value) in enumerate(rows):
        y = top + index * (bar + gap)
        draw.text((left - 12, y + bar / 2), _fit(draw, label, font, left - 24), font=font, fill=BLACK, anchor="rm")
        if value is None:
            draw.text((left + 6, y + bar / 2), "—", font=font, fill=GREY, anchor="lm")
            continue
        shown = float(value)
        color = GREEN if value >= schedule else (ORANGE if value >= schedule - 10 else RED)
        draw.rectangle([left, y, max(x(shown), left + 1), y + bar], fill=color)
        text = f"{shown:.2f}%"
        box = draw.textbbox((x(shown) + 8, y + bar / 2), text, font=small, anchor="lm")
        draw.rectangle([box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2], fill=WHITE)
        draw.text((x(shown) + 8, y + bar / 2), text, font=small, fill=BLACK, anchor="lm")
    return _png(image)


def trend_chart(
    labels: Sequence[str],
    amounts: Sequence[Decimal | None],
    cumulative: Sequence[Decimal | None],
    plan_line: Sequence[Decimal],
    *,
    title: str,
    legend: tuple[str, str, str],
    unit: str,
) -> bytes:
    """Monthly bars (completed in the month), the cumulative line and the dashed plan line, one scale (亿元 etc.)."""
    font, small, heading = chart_font(20), chart_font(18), chart_font(28)
    width, height = 1600, 760
    left, right, top, bottom = 120, 40, 110, 70
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((width / 2, 20), title, font=heading, fill=BLACK, anchor="mt")
    numbers = [float(v) for v in (*amounts, *cumulative, *plan_line) if v is not None]
    ticks = nice_ticks(max([*numbers, 1.0]) * 1.02)
    top_value = ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(labels), 1)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    def cx(index: int) -> float:
        return left + slot * index + slot / 2

    for value in ticks:
        draw.line([(left, y(value)), (width - right, y(value))], fill=LIGHT_GREY, width=1)
        draw.text((left - 10, y(value)), tick_label(value), font=small, fill=GREY, anchor="rm")
    draw.text((left - 10, top - 14), unit, font=small, fill=GREY, anchor="rb")
    for index, (label, amount) in enumerate(zip(labels, amounts, strict=False)):
        draw.text((cx(index), height - bottom + 10), label, font=font, fill=BLACK, anchor="mt")
        if amount is not None:
            draw.rectangle([cx(index) - slot * 0.3, y(float(amount)), cx(index) + slot * 0.3, y(0)], fill=LIGHT_BLUE)
    plan_points = [(cx(i), y(float(v))) for i, v in enumerate(plan_line)]
    _dashed_line(draw, plan_points, GREY, width=3)
    done = [(cx(i), y(float(v))) for i, v in enumerate(cumulative) if v is not None]
    if len(done) > 1:
        draw.line(done, fill=BLUE, width=4, joint="curve")
    for px, py in done:
        draw.ellipse([px - 6, py - 6, px + 6, py + 6], fill=BLUE)
    # Legend, right-aligned above the plot
    entries = [(legend[0], "bar"), (legend[1], "line"), (legend[2], "dash")]
    lx = width - right - sum(60 + _text_width(draw, text, small) for text, _kind in entries)
    ly = 75
    for text, kind in entries:
        if kind == "bar":
            draw.rectangle([lx, ly - 9, lx + 30, ly + 9], fill=LIGHT_BLUE)
        elif kind == "line":
            draw.line([(lx, ly), (lx + 30, ly)], fill=BLUE, width=4)
        else:
            _dashed_line(draw, [(lx, ly), (lx + 30, ly)], GREY, width=3)
        draw.text((lx + 38, ly), text, font=small, fill=BLACK, anchor="lm")
        lx += 60 + _text_width(draw, text, small)
    return _png(image)
