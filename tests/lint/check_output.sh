#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every byte bobbin writes to the terminal goes through a sink that applies the safetext policy:
# tui/tout.c for the line-mode front ends (run, exec, console, kernels, errors, usage) and
# tui/view.c for the notebook screen (curses). This check fails when a printing call (stdio,
# curses, write to fd 1 or 2) appears in any other source file (tout_fmt and tout_lit take
# only string literals as what they write verbatim: anything else does not compile). Comments and the contents
# of string literals are blanked first, so a word in a message does not count.
# With arguments, checks those files (for the self-test) instead of the sources. Prints TAP.
cd "$(dirname "$0")/../.." || exit 1
SINKS="tui/tout.c tui/view.c"

scan() {
	awk -v sinks=" $SINKS " '
	FNR == 1 { incom = 0 }
	{
		# Blank comments and string/char literal contents (a literal keeps its quotes).
		line = $0; out = ""; i = 1; n = length(line)
		while (i <= n) {
			c = substr(line, i, 1); c2 = substr(line, i, 2)
			if (incom) { if (c2 == "*/") { incom = 0; i += 2 } else i++; continue }
			if (c2 == "/*") { incom = 1; i += 2; continue }
			if (c2 == "//") break
			if (c == "\"" || c == "\x27") {
				q = c; out = out q; i++
				while (i <= n && substr(line, i, 1) != q) i += substr(line, i, 1) == "\\" ? 2 : 1
				out = out q; i++; continue
			}
			out = out c; i++
		}
		sink = index(sinks, " " FILENAME " ") > 0
		if (!sink && match(out, /(^|[^A-Za-z0-9_.>])(v?f?printf|v?dprintf|fputs|puts|fputc|putc|putchar|fwrite|perror|fputws|fputwc|putwchar|psignal|(mv)?w?(add|ins)n?w?str|(mv)?w?add_?w?chn?(str)?|(mv)?w?printw|vw?_?printw|(mv)?w?insch)[ \t]*\(/)) {
			printf "%s:%d: printing outside the sinks (%s): %s\n", FILENAME, FNR, sinks, $0
			bad = 1
		}
		if (!sink && match(out, /(^|[^A-Za-z0-9_])write[ \t]*\([ \t]*(STDOUT_FILENO|STDERR_FILENO|1|2|fileno)[^A-Za-z0-9_]/)) {
			printf "%s:%d: write to the terminal outside the sinks: %s\n", FILENAME, FNR, $0
			bad = 1
		}
	}
	END { exit bad }' "$@"
}

if [ $# -gt 0 ]; then
	scan "$@"
	exit
fi
n=0
files=$(ls tui/*.c tui/*.h kernelclient/*.c kernelclient/*.h notebook/*.c notebook/*.h)
if out=$(scan $files); then
	echo "ok 1 - no printing call outside tui/tout.c and tui/view.c"
else
	echo "not ok 1 - no printing call outside tui/tout.c and tui/view.c"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
# The check can fail: a kernelspec name printed raw, in a copy of a real source file.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tui"
cp tui/cmd_run.c "$T/tui/cmd_run.c"
printf '%s\n' 'static void leak(const char *name) { fprintf(stderr, "kernel %s\n", name); }' >>"$T/tui/cmd_run.c"
printf '%s\n' 'static void leak2(const char *s) { write(STDERR_FILENO, s, 1); }' >>"$T/tui/cmd_run.c"
printf '%s\n' 'static void leak3(const char *s) { fputs(s, rl_outstream); }' >>"$T/tui/cmd_run.c"
printf '%s\n' '/* printf("in a comment"); */ static const char *m = "puts(\"in a string\")";' >"$T/tui/quiet.c"
got=$(cd "$T" && scan tui/cmd_run.c tui/quiet.c 2>&1)
if [ "$(printf '%s\n' "$got" | grep -c 'cmd_run.c')" = 3 ] && ! printf '%s\n' "$got" | grep -q quiet.c; then
	echo "ok 2 - the check catches a raw fprintf, a write to fd 2 and an fputs, not comments or strings"
else
	echo "not ok 2 - the check catches injected raw prints"
	printf '%s\n' "$got" | sed 's/^/# /'
fi
