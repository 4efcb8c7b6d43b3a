// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Terminal output of the line-mode front ends (run, exec, console, kernels, errors, usage): the
 * one sink through which bytes reach stdout and stderr, so that a string from outside (kernel
 * output, notebook contents, kernelspecs, connection files, servers) can only be printed through
 * the safetext policy. tests/lint_output.sh fails the test suite when a printing call is made
 * anywhere else (the notebook screen draws through view.c, its own sink, under the same check).
 *  - tout_text: untrusted text, normalised SGR only (sgr set) or plain text;
 *  - tout_fmt: a printf-style message; its format is a string literal of bobbin's own (anything
 *    else does not compile) and each %s argument is shown with every control as a visible
 *    placeholder (^[, ^G, <U+202E>), so an argument can neither act on the terminal nor, left
 *    unterminated, swallow the rest of the message;
 *  - tout_stream: text whose SGR colour carries from one call to the next (the console);
 *  - tout_lit: a string literal of bobbin's own, written verbatim (its own control sequences,
 *    such as "\r\033[K"); anything but a literal does not compile;
 *  - tout_data: bytes that are data, not a message (the executed notebook of `bobbin run -o -`):
 *    verbatim into a pipe or a file, through tout_text (plain) when f is a terminal;
 *  - tout_pixels: a pixel image's sequences that bobbin encoded itself from decoded pixels
 *    (gfx_encode, never a kernel's bytes), verbatim, and only when f is a terminal.
 * Each call flushes its stream.
 */
#ifndef BOBBIN_TOUT_H
#define BOBBIN_TOUT_H

#include <stddef.h>
#include <stdio.h>

void tout_text(FILE *f, const char *s, size_t n, int sgr);
#define tout_fmt(f, ...) tout_fmt_((f), "" __VA_ARGS__)
void tout_fmt_(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tout_stream(FILE *f, const char *s, size_t n, int sgr);
#define tout_lit(f, s) tout_lit_((f), "" s "")
void tout_lit_(FILE *f, const char *s);
/* 0, or -1 when not all of the n bytes of s were written. */
int tout_data(FILE *f, const char *s, size_t n);
void tout_pixels(FILE *f, const char *s, size_t n);

#endif
