// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Copying to the system clipboard through the terminal: OSC 52 ("ESC ] 52 ; c ; base64 BEL")
 * asks the terminal (xterm, kitty, iTerm2, WezTerm, tmux with set-clipboard, and over SSH) to
 * put the text on the clipboard. Off by default (config osc52): some terminals let programs
 * read the clipboard too, and users should choose. The text is base64, so bytes from a kernel
 * cannot become control sequences. Pure: builds the sequence, writes nothing.
 */
#ifndef BOBBIN_OSC52_H
#define BOBBIN_OSC52_H

#include <stddef.h>

#define OSC52_MAX (1u << 20) /* longer text is refused: terminals drop or truncate it */

/* Caller frees. The OSC 52 sequence setting the clipboard to s[0..n), NUL-terminated; NULL when
 * n > OSC52_MAX or out of memory. */
char *osc52_seq(const char *s, size_t n);

#endif
