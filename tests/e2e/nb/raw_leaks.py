# SPDX-License-Identifier: GPL-3.0-or-later
# raw_leaks.py FILE: FILE holds the bytes bobbin wrote to its terminal (tmux pipe-pane) while a cell
# wrote OSC 0 and 52, a clear, a home, a cursor move to 5;5, "MOVED", red, "RED-TEXT", a reset and
# an alternate-screen switch. Exits 0 when the text is there with only SGR between MOVED and
# RED-TEXT and none of the other sequences is; otherwise prints what is wrong and exits 1.
# Used by tests/e2e/test_notebook_term.sh.
import re
import sys


def show(b):
    """bytes as one line without backslashes (lib.sh's notok passes it through dash's echo)"""
    return "".join("ESC" if c == 27 else chr(c) if 32 <= c < 127 and c != 92 else "<%02x>" % c for c in b)


d = open(sys.argv[1], "rb").read()
bad = []
if not re.search(rb"MOVED(?:\x1b\[[0-9;]*m)*RED-TEXT", d):
    bad.append("MOVED...RED-TEXT not written with only SGR between (%d bytes recorded)" % len(d))
for what, pat in (
    ("an OSC (title, clipboard)", rb"\x1b\]"),
    ("a screen clear", rb"\x1b\[2J"),
    ("the kernel's cursor move", rb"\x1b\[5;5H"),
    ("an alternate-screen switch", rb"\x1b\[\?1049h"),
):
    m = re.search(pat, d)
    if m:
        bad.append("%s: ...%s..." % (what, show(d[max(0, m.start() - 30) : m.end() + 30])))
print("; ".join(bad))
sys.exit(1 if bad else 0)
