#!/usr/bin/env python3
"""Renders a tmux pane (captured with `tmux capture-pane -e -p`) to a PNG, colours kept.

    scripts/screenshot.sh     # runs the demo in tmux and writes assets/screenshot.png

Needs Pillow (`pip install pillow`) and the DejaVu fonts; a developer tool, not used by tests.
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
FALLBACK = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SIZE = 15
BG = (24, 26, 33)
FG = (212, 212, 212)
# xterm-ish palette for the 16 named colours.
PALETTE = [
    (24, 26, 33), (224, 108, 117), (152, 195, 121), (229, 192, 123),
    (97, 175, 239), (198, 120, 221), (86, 182, 194), (171, 178, 191),
    (92, 99, 112), (224, 108, 117), (152, 195, 121), (229, 192, 123),
    (97, 175, 239), (198, 120, 221), (86, 182, 194), (255, 255, 255),
]


def parse(text):
    """Yields rows of (char, fg, bg, bold) from text with SGR escapes."""
    rows = []
    fg, bg, bold, reverse = None, None, False, False
    for line in text.split("\n"):
        row = []
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            if part.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in part[2:-1].split(";")]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        fg, bg, bold, reverse = None, None, False, False
                    elif c == 1:
                        bold = True
                    elif c == 22:
                        bold = False
                    elif c == 7:
                        reverse = True
                    elif c == 27:
                        reverse = False
                    elif 30 <= c <= 37:
                        fg = PALETTE[c - 30]
                    elif 90 <= c <= 97:
                        fg = PALETTE[c - 90 + 8]
                    elif c == 39:
                        fg = None
                    elif 40 <= c <= 47:
                        bg = PALETTE[c - 40]
                    elif 100 <= c <= 107:
                        bg = PALETTE[c - 100 + 8]
                    elif c == 49:
                        bg = None
                    elif c in (38, 48) and i + 1 < len(codes):
                        if codes[i + 1] == 5:
                            n = codes[i + 2]
                            colour = PALETTE[n] if n < 16 else FG
                            i += 2
                        else:
                            colour = tuple(codes[i + 2:i + 5])
                            i += 4
                        if c == 38:
                            fg = colour
                        else:
                            bg = colour
                    i += 1
            else:
                for ch in part:
                    f, b = fg or FG, bg or BG
                    if reverse:
                        f, b = b, f
                    row.append((ch, f, b, bold))
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def main():
    out = sys.argv[1]
    rows = parse(sys.stdin.read())
    regular = ImageFont.truetype(FONT, SIZE)
    bold = ImageFont.truetype(BOLD, SIZE)
    fallback = ImageFont.truetype(FALLBACK, SIZE)
    w = int(regular.getlength("M"))
    h = SIZE + 4
    cols = max(len(r) for r in rows)
    img = Image.new("RGB", (cols * w + 16, len(rows) * h + 16), BG)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, (ch, f, b, is_bold) in enumerate(row):
            px, py = 8 + x * w, 8 + y * h
            if b != BG:
                draw.rectangle([px, py, px + w - 1, py + h - 1], fill=b)
            if ch == " ":
                continue
            font = bold if is_bold else regular
            # DejaVu Sans Mono has no braille (the spinner): the proportional face does.
            if 0x2800 <= ord(ch) <= 0x28FF or font.getmask(ch).getbbox() is None:
                font = fallback
            draw.text((px, py + 1), ch, font=font, fill=f)
    img.save(out)


if __name__ == "__main__":
    main()
