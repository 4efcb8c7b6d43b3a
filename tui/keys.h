// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Key decoder: turns the raw bytes bobbin reads from the terminal into key events. It knows
 * UTF-8 text, C0 controls (as Ctrl+letter), the CSI and SS3 forms of cursor and function keys
 * with xterm modifier parameters, the kitty "CSI u" and xterm modifyOtherKeys encodings of
 * modified keys (Shift-Enter, Ctrl-Enter...), Alt as an ESC prefix, bracketed paste, SGR and
 * X10 mouse reports and focus events. Anything else that starts like an escape sequence is
 * swallowed whole so that it never turns into typed text, and so are the control strings
 * terminals reply with, asked for or not, early or late: DCS ("ESC P" and a parameter or
 * intermediate byte: XTVERSION, DECRQSS), OSC ("ESC ]" and a digit: colour reports) and kitty's
 * APC ("ESC _ G"), each up to its ST (ESC \), its BEL (OSC) or the next ESC; one whose end has
 * not come at the timeout is dropped. "ESC P" and the like followed by anything else (or by
 * nothing at the timeout) are Alt keys as before.
 *
 * Bytes may arrive in any chunks: a sequence split across feeds decodes exactly as if it had
 * come at once. A lone ESC is ambiguous (Esc key, or the start of a sequence whose rest has
 * not arrived): keys_next() then waits, and the main loop calls keys_timeout() when no byte
 * has come for 25-50 ms, which turns the pending bytes into keys (ESC alone becomes K_ESC,
 * "ESC [" becomes Alt-[). A person cannot type Esc and then Enter within that time, while a
 * terminal sends "ESC CR" for Alt-Enter in one write.
 *
 * Pure logic: no terminal I/O, no curses, no global state.
 */
#ifndef BOBBIN_KEYS_H
#define BOBBIN_KEYS_H

#include <stddef.h>

/* Key codes. Text keys use their Unicode code point; the others lie above U+10FFFF. */
enum {
	K_NONE = 0,
	K_ENTER = 0x110000,
	K_TAB,
	K_BACKSPACE,
	K_ESC,
	K_UP,
	K_DOWN,
	K_LEFT,
	K_RIGHT,
	K_HOME,
	K_END,
	K_PGUP,
	K_PGDN,
	K_DELETE,
	K_INSERT,
	K_F1,
	K_F12 = K_F1 + 11,
	K_PASTE,     /* bracketed paste: text and len */
	K_MOUSE,     /* mouse report: mouse */
	K_FOCUS_IN,  /* the terminal window gained focus (mode 1004) */
	K_FOCUS_OUT, /* ... lost it */
	K_LAST
};
#define K_F(n) (K_F1 + (n)-1) /* n = 1..12 */

/* Modifier bits of struct key. */
#define M_SHIFT 0x1u
#define M_ALT 0x2u
#define M_CTRL 0x4u

/* Mouse buttons and actions of struct key_mouse. */
enum {
	KB_NONE,
	KB_LEFT,
	KB_MIDDLE,
	KB_RIGHT,
	KB_WHEEL_UP,
	KB_WHEEL_DOWN,
	KB_WHEEL_LEFT,
	KB_WHEEL_RIGHT,
	KB_OTHER
};
enum { KM_PRESS, KM_RELEASE, KM_MOTION };

struct key_mouse {
	int x, y;   /* 0-based cell, column and row */
	int button; /* KB_* */
	int action; /* KM_* */
};

/*
 * One key event. Normal form (what the decoder produces and keys_parse_name() returns):
 * Shift is dropped from printable keys ('A' rather than S-a), and an upper-case ASCII letter
 * with Ctrl or Alt becomes the lower-case one with M_SHIFT, so "M-X" equals "M-S-x".
 */
struct key {
	int code;               /* a code point or K_* */
	unsigned mods;          /* M_* */
	struct key_mouse mouse; /* K_MOUSE only */
	/* K_PASTE only: valid UTF-8 with \n line ends (CR LF and CR become \n), no control
	 * character other than \n and \t, not NUL-terminated; borrowed from the decoder until
	 * the next keys_next(), keys_feed() or keys_free(). */
	const char *text;
	size_t len;
};

struct keys;

/* What bobbin writes to the terminal to have modified keys reported (xterm's modifyOtherKeys
 * level 2, and the kitty keyboard protocol's "disambiguate" level pushed on its stack; a
 * terminal that knows neither ignores both), and what undoes it at exit and on suspend. */
#define KEYS_REPORT_ON "\033[>4;2m\033[>1u"
#define KEYS_REPORT_OFF "\033[<u\033[>4m"

/* Largest paste kept; bytes beyond it are dropped (the event is still delivered). */
#define KEYS_PASTE_MAX (64u << 20)

/* Caller frees with keys_free(). NULL when out of memory. */
struct keys *keys_new(void);
void keys_free(struct keys *d);
/* Appends n bytes of s (borrowed, copied). Returns 0, or -1 when out of memory (the bytes are
 * then dropped). */
int keys_feed(struct keys *d, const void *s, size_t n);
/* Takes the next complete key into *k: 1 if there was one, 0 if the buffered bytes are empty or
 * an incomplete sequence (then see keys_pending()). */
int keys_next(struct keys *d, struct key *k);
/* What the decoder sets aside as no key (a CSI with a private marker or intermediates, as a
 * terminal's reports are; a control string, DCS/OSC/APC, whole within STR_MAX) is passed to fn
 * with ctx, the bytes from its ESC on, before keys_next() goes on; NULL stops it. */
typedef void keys_reply_fn(void *ctx, const char *s, size_t n);
void keys_on_reply(struct keys *d, keys_reply_fn *fn, void *ctx);
/* No byte came for a while: the next keys_next() calls resolve what is pending (lone ESC to
 * K_ESC, ESC + one byte to an Alt key, a truncated sequence is dropped, a truncated UTF-8
 * character becomes U+FFFD). An unfinished bracketed paste keeps waiting for its end. */
void keys_timeout(struct keys *d);
/* 1 if bytes wait for more input or keys_timeout() (so the loop should use a short poll
 * timeout), else 0. */
int keys_pending(const struct keys *d);
/* 1 while inside a bracketed paste that has not ended. */
int keys_in_paste(const struct keys *d);

/*
 * Writes a name for k into buf (always NUL-terminated when size > 0): modifiers as "C-", "M-",
 * "S-" in that order, then "Enter", "Tab", "Backspace", "Esc", "Up", "Down", "Left", "Right",
 * "Home", "End", "PgUp", "PgDn", "Delete", "Insert", "F1".."F12", "Space", "Paste", "Mouse",
 * "FocusIn", "FocusOut", or the character itself ("a", "é", "-"). Returns the length it
 * needed, like snprintf.
 */
int keys_name(const struct key *k, char *buf, size_t size);
/*
 * Parses a key name into *k (normal form, mouse and text cleared). Accepts what keys_name()
 * writes, modifiers in any order and case as C-/Ctrl-, M-/Alt-/Meta-, S-/Shift- (also with
 * '+'), and aliases ("Return", "Escape", "PageUp", "PageDown", "Del", "Ins", "BS", "Spc").
 * Returns 0, or -1 if s is not a key name.
 */
int keys_parse_name(const char *s, struct key *k);
/* Puts *k in normal form (see struct key). */
void keys_normalize(struct key *k);

#endif
