"""Reads a PNG written by rsvg-convert (8-bit RGBA or RGB, non-interlaced) with the standard
library only, and answers the questions PlotRenderingTests asks of a rendered plot:

    python3 png_pixels.py FILE.png size
        -> "WIDTH HEIGHT"
    python3 png_pixels.py FILE.png ink LEFT TOP WIDTH HEIGHT
        -> the share of pixels in the rectangle that are not white
    python3 png_pixels.py FILE.png colour X Y R G B RADIUS
        -> "1" when a pixel within RADIUS of (X, Y) has the colour (R, G, B) to within 40 per
           channel, else "0"
"""
import struct
import sys
import zlib


def read(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (2, 6), "unsupported PNG"
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + predictor) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def pixel(image, x, y):
    width, height, channels, rows = image
    row = rows[y]
    r, g, b = row[x * channels], row[x * channels + 1], row[x * channels + 2]
    alpha = row[x * channels + 3] if channels == 4 else 255
    # Over white.
    return tuple(round(v * alpha / 255 + 255 * (1 - alpha / 255)) for v in (r, g, b))


def main():
    path, question = sys.argv[1], sys.argv[2]
    image = read(path)
    width, height = image[0], image[1]
    if question == "size":
        print(width, height)
    elif question == "ink":
        left, top, w, h = (int(float(v)) for v in sys.argv[3:7])
        inked = sum(
            1 for y in range(top, top + h) for x in range(left, left + w)
            if pixel(image, x, y) != (255, 255, 255))
        print(inked / (w * h))
    elif question == "colour":
        x, y = float(sys.argv[3]), float(sys.argv[4])
        target = tuple(int(v) for v in sys.argv[5:8])
        radius = int(sys.argv[8])
        found = any(
            all(abs(p - t) <= 40 for p, t in zip(pixel(image, px, py), target))
            for py in range(max(0, int(y) - radius), min(height, int(y) + radius + 1))
            for px in range(max(0, int(x) - radius), min(width, int(x) + radius + 1)))
        print(1 if found else 0)


main()
