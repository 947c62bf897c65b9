"""A diagram's layout drawn as PNG with Pillow: the same boxes, labels and arrows as the SVG, at
twice the size for sharp text on high-density screens, in a small palette."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from bot.core.diagram import FONT_SIZE, TITLE_SIZE, Layout, Point, colours, font

SCALE = 2
_LINE = "#5f6368"
_TEXT = "#202124"
_DASH = 5.0
_GAP = 4.0
_COLOURS = 64


def _dashed(draw: ImageDraw.ImageDraw, start: Point, end: Point, width: int) -> None:
    length = math.dist(start, end)
    if length == 0:
        return
    dx, dy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
    at = 0.0
    while at < length:
        stop = min(at + _DASH * SCALE, length)
        draw.line(
            [
                (start[0] + dx * at, start[1] + dy * at),
                (start[0] + dx * stop, start[1] + dy * stop),
            ],
            fill=_LINE,
            width=width,
        )
        at = stop + _GAP * SCALE


def _arrowhead(draw: ImageDraw.ImageDraw, start: Point, end: Point) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    size = 7 * SCALE
    left = (end[0] - size * math.cos(angle - 0.45), end[1] - size * math.sin(angle - 0.45))
    right = (end[0] - size * math.cos(angle + 0.45), end[1] - size * math.sin(angle + 0.45))
    draw.polygon([end, left, right], fill=_LINE)


def png(drawn: Layout) -> bytes:
    """The layout as PNG bytes."""
    image = Image.new("RGB", (round(drawn.width * SCALE), round(drawn.height * SCALE)), "white")
    draw = ImageDraw.Draw(image)
    title_font, label_font = font(TITLE_SIZE * SCALE), font(FONT_SIZE * SCALE)
    for line, rect in zip(drawn.title, drawn.title_rects, strict=True):
        draw.text((rect[0] * SCALE, rect[1] * SCALE), line, font=title_font, fill=_TEXT)
    for arrow in drawn.arrows:
        start = (arrow.start[0] * SCALE, arrow.start[1] * SCALE)
        end = (arrow.end[0] * SCALE, arrow.end[1] * SCALE)
        if arrow.dashed:
            _dashed(draw, start, end, 3)
        else:
            draw.line([start, end], fill=_LINE, width=3)
            _arrowhead(draw, start, end)
    for box in drawn.boxes:
        fill, stroke = colours(box)
        x, y, w, h = (v * SCALE for v in box.rect)
        draw.rounded_rectangle(
            [x, y, x + w, y + h], radius=8 * SCALE, fill=fill, outline=stroke, width=3
        )
        if box.node.host:  # a dashed outline: white gaps over the solid one
            for a, b in (((x, y), (x + w, y)), ((x, y + h), (x + w, y + h))):
                _gaps(draw, a, b, fill)
        for line, rect in zip(box.lines, box.line_rects, strict=True):
            draw.text((rect[0] * SCALE, rect[1] * SCALE), line, font=label_font, fill=_TEXT)
    out = io.BytesIO()
    small = image.quantize(colors=_COLOURS, method=Image.Quantize.FASTOCTREE)
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _gaps(draw: ImageDraw.ImageDraw, start: Point, end: Point, fill: str) -> None:
    """Gaps in a horizontal border, so it reads as dashed."""
    x = start[0] + 12 * SCALE
    while x + _GAP * SCALE < end[0] - 12 * SCALE:
        x += _DASH * SCALE
        draw.line([(x, start[1]), (x + _GAP * SCALE, start[1])], fill=fill, width=3)
        x += _GAP * SCALE
