#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Pixel images in `bobbin console` and `bobbin exec`: in a pty whose peer (this script) records
# every byte bobbin writes, a cell displays a real matplotlib PNG. With images = kitty the bytes
# hold kitty's image command with RGBA from bobbin's decoder (f=32), never the PNG's base64; with
# images = sixel a sixel DCS; with images = symbols block art and no pixel sequence; exec into a
# file (images = kitty) writes no escape sequence at all. Inside tmux (a pane of an inner tmux with
# allow-passthrough on, whose client runs in an outer tmux recording what it gets, as in
# test_gfx_tmux.sh) the kitty image comes out of the passthrough at the rows bobbin made for it,
# in the outer terminal's coordinates; with TERM=tmux-256color and no $TMUX (over ssh from inside
# tmux) block art. Prints TAP. Needs $BOBBIN, ipykernel, tmux, Debian's
# python3-matplotlib.
BOBBIN=${BOBBIN:-$(cd "$(dirname "$0")/../.." && pwd)/bobbin}
export BOBBIN
exec /usr/bin/python3 "$(dirname "$0")/nb/console_gfx.py"
