"""Draws the Teams app icons: `color.png` (192×192, full colour) and `outline.png` (32×32, white on
transparent). Run from anywhere: `python deploy/teams/make_icons.py`; the PNGs are committed.

The symbol is a small classical building (pediment, three columns, a base): architecture. It is
drawn as a mask 8× larger and scaled down, so its edges are smooth; the outline icon's pixels
are all pure white and differ only in transparency, as Teams requires.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (0x0F, 0x6C, 0xBD)  # manifest.json "accentColor"
SCALE = 8


def symbol_mask(size: int, margin: float) -> Image.Image:
    """The building, white (255) on black (0), `size` pixels square with `margin` (0–0.5)."""
    big = size * SCALE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    left, right = big * margin, big * (1 - margin)
    top, bottom = big * margin, big * (1 - margin)
    width, height = right - left, bottom - top
    roof = top + height * 0.30
    draw.polygon([(left, roof), ((left + right) / 2, top), (right, roof)], fill=255)
    beam = roof + height * 0.04
    draw.rectangle(
        [left + width * 0.04, roof, right - width * 0.04, beam + height * 0.06], fill=255
    )
    base_top = bottom - height * 0.14
    draw.rectangle([left, base_top, right, bottom], fill=255)
    columns_top = beam + height * 0.12
    columns_bottom = base_top - height * 0.05
    column = width * 0.14
    for center in (0.2, 0.5, 0.8):
        x = left + width * center
        draw.rectangle([x - column / 2, columns_top, x + column / 2, columns_bottom], fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def color_icon() -> Image.Image:
    """192×192: the white building on the accent colour, edge to edge."""
    icon = Image.new("RGBA", (192, 192), (*ACCENT, 255))
    white = Image.new("RGBA", (192, 192), (255, 255, 255, 255))
    icon.paste(white, (0, 0), symbol_mask(192, 0.22))
    return icon


def outline_icon() -> Image.Image:
    """32×32: white only, the background fully transparent."""
    icon = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    icon.putalpha(symbol_mask(32, 0.06))
    return icon


def main() -> None:
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
