#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the GIF fixtures in this directory (python3 tests/data/gif/make_gifs.py).

Python's standard library has no GIF writer, so the files are built here byte by byte from
the GIF89a layout: header, logical screen descriptor, a 4-colour global colour table, an
optional graphic control extension, image descriptors and LZW data. The LZW stream stays at
3-bit codes by sending a clear code before every second pixel (the code table never grows
past 7 entries), which every decoder must accept.

  tiny.gif        4x2, red green blue white / white blue green red, then a second frame
                  (all green) that bobbin must not show: only the first frame is decoded
  interlaced.gif  1x8 interlaced, row r has colour r % 4 (rows arrive in the order
                  0, 4, 2, 6, 1, 3, 5, 7)
  transparent.gif 4x4 screen, a 2x2 frame at (1,1) whose colour 3 is transparent
  huge.gif        a screen of 65535x65535 with a 1x1 frame: refused by the size limit
  truncated.gif   tiny.gif cut inside its first frame's image data
"""
import os
import struct

PALETTE = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])  # red green blue white


def lzw(pixels):
    """3-bit codes (min code size 2): clear (4) before every second pixel, then end (5)."""
    codes = []
    for i, p in enumerate(pixels):
        if i % 2 == 0:
            codes.append(4)
        codes.append(p)
    codes.append(5)
    acc = nbits = 0
    out = bytearray()
    for c in codes:
        acc |= c << nbits
        nbits += 3
        while nbits >= 8:
            out.append(acc & 0xff)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 0xff)
    blocks = bytearray([2])  # min code size
    for i in range(0, len(out), 255):
        chunk = out[i:i + 255]
        blocks += bytes([len(chunk)]) + chunk
    return bytes(blocks + b"\x00")


def frame(x, y, w, h, pixels, interlaced=False):
    return (b"," + struct.pack("<HHHHB", x, y, w, h, 0x40 if interlaced else 0) + lzw(pixels))


def gif(sw, sh, *parts):
    # global colour table of 4 entries (size field 1), colour resolution 2 bits
    return b"GIF89a" + struct.pack("<HHBBB", sw, sh, 0x91, 0, 0) + PALETTE + b"".join(parts) + b";"


def gce(transparent=None):
    flags = 1 if transparent is not None else 0
    return b"!\xf9\x04" + bytes([flags, 0, 0, transparent or 0]) + b"\x00"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    files = {
        "tiny.gif": gif(4, 2, frame(0, 0, 4, 2, [0, 1, 2, 3, 3, 2, 1, 0]),
                        frame(0, 0, 4, 2, [1] * 8)),
        "interlaced.gif": gif(1, 8, frame(0, 0, 1, 8, [r % 4 for r in (0, 4, 2, 6, 1, 3, 5, 7)],
                                          interlaced=True)),
        "transparent.gif": gif(4, 4, gce(3), frame(1, 1, 2, 2, [0, 3, 3, 2])),
        "huge.gif": gif(65535, 65535, frame(0, 0, 1, 1, [0])),
    }
    files["truncated.gif"] = files["tiny.gif"][:13 + 12 + 10 + 4]
    for name, data in files.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
