#!/usr/bin/env python3
"""Draws the app's icons (public/icons/*.png) from the favicon's shapes.

The favicon (public/favicon.svg) is a house on a blue tile: an orange roof and
a white wall. Phones want PNGs for the home screen, so this script draws the
same shapes with anti-aliased edges and writes them with nothing but the
standard library (zlib, struct): no image tools, no downloads. Run it again
after changing the shapes; the PNGs are committed.

    scripts/icons.py            writes public/icons/
"""

import math
import struct
import zlib
from pathlib import Path

BLUE = (0x1D, 0x4F, 0x73)
ORANGE = (0xE8, 0x73, 0x1A)
WHITE = (0xFF, 0xFF, 0xFF)

# The favicon's shapes, in its 64-unit viewBox.
TILE_RADIUS = 12
ROOF = [(14, 40), (32, 18), (50, 40)]
WALL = (22, 38, 42, 50)  # x0, y0, x1, y1
HOUSE_CENTRE = (32, 34)


def coverage(distance):
    """How much of a pixel a shape covers, from the signed distance (in
    pixels) of the pixel's centre to the shape's edge: negative inside."""
    return min(1.0, max(0.0, 0.5 - distance))


def rounded_square_distance(x, y, size, radius):
    half = size / 2
    qx = abs(x - half) - (half - radius)
    qy = abs(y - half) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    inside = min(max(qx, qy), 0.0)
    return outside + inside - radius


def triangle_distance(x, y, points):
    """Signed distance to a convex polygon whose points run clockwise on screen."""
    worst = -math.inf
    for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1]):
        ex, ey = bx - ax, by - ay
        length = math.hypot(ex, ey)
        # Outward normal of a clockwise (screen) edge.
        nx, ny = ey / length, -ex / length
        worst = max(worst, (x - ax) * nx + (y - ay) * ny)
    return worst


def rect_distance(x, y, rect):
    x0, y0, x1, y1 = rect
    qx = max(x0 - x, x - x1)
    qy = max(y0 - y, y - y1)
    return math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0)


def over(dst, colour, alpha):
    """Paints `colour` with `alpha` over the straight-alpha pixel `dst`."""
    r, g, b, a = dst
    out_a = alpha + a * (1 - alpha)
    if out_a == 0:
        return (0.0, 0.0, 0.0, 0.0)
    mix = lambda c, d: (c * alpha + d * a * (1 - alpha)) / out_a
    return (mix(colour[0], r), mix(colour[1], g), mix(colour[2], b), out_a)


def draw(size, maskable):
    """RGBA rows. A maskable icon fills its square (the phone cuts its own
    shape) and keeps the house inside the central safe circle."""
    unit = size / 64
    scale = 0.8 if maskable else 1.0
    cx, cy = HOUSE_CENTRE

    def house(p):
        # Viewbox point → pixel, shrunk about the house's centre when maskable,
        # and moved so the house sits in the middle of the square.
        x, y = p
        return ((32 + (x - cx) * scale) * unit, (32 + (y - cy) * scale) * unit)

    roof = [house(p) for p in ROOF]
    (wx0, wy0), (wx1, wy1) = house(WALL[:2]), house(WALL[2:])
    rows = []
    for j in range(size):
        row = bytearray()
        y = j + 0.5
        for i in range(size):
            x = i + 0.5
            if maskable:
                pixel = (*BLUE, 1.0)
            else:
                pixel = over((0, 0, 0, 0), BLUE, coverage(rounded_square_distance(x, y, size, TILE_RADIUS * unit)))
            pixel = over(pixel, ORANGE, coverage(triangle_distance(x, y, roof)))
            pixel = over(pixel, WHITE, coverage(rect_distance(x, y, (wx0, wy0, wx1, wy1))))
            r, g, b, a = pixel
            row += bytes((round(r), round(g), round(b), round(a * 255)))
        rows.append(bytes(row))
    return rows


def png(size, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    raw = b"".join(b"\x00" + row for row in rows)  # filter "none" on every row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = Path(__file__).resolve().parent.parent / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("castors-192.png", 192, False),
        ("castors-512.png", 512, False),
        ("castors-maskable-512.png", 512, True),
        # iOS ignores the manifest's icons and wants an opaque square.
        ("apple-touch-icon.png", 180, True),
    ]:
        path = out / name
        path.write_bytes(png(size, draw(size, maskable)))
        print(f"{path.relative_to(out.parent.parent)}: {size}×{size}, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
