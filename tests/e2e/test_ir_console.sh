#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# IRkernel (R, kernelspec "ir") through `bobbin exec` and `bobbin console`, end to end with the
# real binary in tmux: values, cat() and message() on their streams, stop() with its traceback
# and exit 1, readline() answered from stdin, Ctrl-C on Sys.sleep(60); in the console the first
# prompt's count, an unfinished `function(x) {` continued as the kernel's is_complete says,
# completion of dotted names, readline(), Ctrl-C, routing refused in one line, output of another
# client marked, Ctrl-D. One interactive R kernel for the console part. Prints TAP.
. "$(dirname "$0")/console/lib.sh"

: "${BOBBIN:?BOBBIN must be the bobbin binary}"
setup_root
export JUPYTER_RUNTIME_DIR="$TMPROOT/rt" XDG_DATA_HOME="$TMPROOT/data"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_DATA_HOME"
E="$TMPROOT/err"
O="$TMPROOT/out"

# ---- the kernelspec, as the Debian package registers it ----
"$BOBBIN" kernels >"$O" 2>"$E"
grep -q '^ir  *R  *R  */usr/share/jupyter/kernels/ir$' "$O"
check $? "kernels lists ir (language R) from /usr/share/jupyter/kernels ($(grep '^ir' "$O"))"

# ---- exec ----
"$BOBBIN" exec -k ir -c 'cat("hello\n"); message("to stderr"); 1 + 1; x <- 6 * 7; x' >"$O" 2>"$E"
rc=$?
[ $rc -eq 0 ] && [ "$(cat "$O")" = "hello
[1] 2
[1] 42" ]; check $? "exec -k ir: cat() and every visible value on stdout, exit 0 (rc=$rc: $(cat "$O"))"
grep -qx "to stderr" "$E" && ! grep -q "to stderr" "$O"; check $? "exec -k ir: message() goes to stderr"

"$BOBBIN" exec -k ir -c 'f <- function() stop("boom"); f()' >"$O" 2>"$E"; rc=$?
[ $rc -eq 1 ] && grep -q "^Error in f(): boom$" "$E" && grep -q '^1\. f()' "$E"
check $? "exec -k ir: stop() gives exit 1 and the traceback on stderr (rc=$rc: $(cat "$E"))"
! grep -q '^$' "$E"; check $? "exec -k ir: the traceback has no blank line"

"$BOBBIN" exec -k ir -c '?mean' >"$O" 2>"$E"; rc=$?
[ $rc -eq 0 ] && grep -qx "Arithmetic Mean" "$O" && ! grep -q "_A_r" "$O"
check $? "exec -k ir: ?mean prints R's help page with its overstrikes applied (rc=$rc: $(head -3 "$O"))"

echo Ada | "$BOBBIN" exec -k ir -c 'n <- readline("who? "); cat("hi", n, "\n")' >"$O" 2>"$E"
rc=$?
[ $rc -eq 0 ] && grep -q "hi Ada" "$O"; check $? "exec -k ir: readline() answered from a pipe"
timeout 60 "$BOBBIN" exec -k ir -c 'readline("x")' >"$O" 2>"$E" </dev/null; rc=$?
[ $rc -eq 1 ] && grep -q "standard input is at its end" "$E"
check $? "exec -k ir: readline() at the end of input fails with exit 1, no hang (rc=$rc)"

# The same where the kernel goes on with the empty answer (a Python kernel deaf to SIGINT: the
# check does not depend on how fast R reacts to the interrupt).
timeout 60 "$BOBBIN" exec -c 'import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); input("x")' \
	>"$O" 2>"$E" </dev/null; rc=$?
[ $rc -eq 1 ]; check $? "exec: input at the end of input exits 1 even when the kernel goes on (rc=$rc)"

"$BOBBIN" exec -k ir --routing origin -c 'cat("ran\n")' >"$O" 2>"$E"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$E")" -eq 1 ] && grep -q "IRkernel.*does not support routing" "$E" &&
	[ "$(cat "$O")" = ran ]
check $? "exec -k ir --routing: refused in one line naming the kernel, the code still runs"

start "$BOBBIN exec -k ir -c 'cat(\"sle\", \"eping\\n\", sep = \"\"); Sys.sleep(60)'"
if wait_for '^sleeping$' 60; then
	t0=$(date +%s)
	keys C-c
	wait_for '^\[exit 1\]$' 20; check $? "exec -k ir: Ctrl-C interrupts Sys.sleep(60), exit 1"
	[ $(($(date +%s) - t0)) -lt 15 ]; check $? "exec -k ir: the interrupt took effect at once"
else
	notok "exec -k ir: Sys.sleep(60) started"
fi

out=$(printf 'cat(1, "\\n")\nf <- function(x) {\n  x * 2\n}\nf(21)\nstop("no")\ncat(2)\n' |
	"$BOBBIN" console -k ir 2>"$E"); rc=$?
[ $rc -eq 1 ] && [ "$out" = "1 
[1] 42" ] && grep -q "no" "$E"
check $? "console -k ir piped: a block over lines, stop at the error with exit 1 (rc=$rc: $out)"

# ---- the console, one kernel ----
start "$BOBBIN console -k ir"
wait_for '^In \[1\]: $' 60; check $? "ir: the first prompt is In [1]"
type_text 'f <- function(x) {'; keys Enter
wait_for '^   \.\.\.: '; check $? "ir: an unfinished function(x) { gives the continuation prompt"
type_text '  x * 2'; keys Enter
type_text '}'; keys Enter
wait_for '^In \[2\]: $'; check $? "ir: the closing brace completes the block; the count advances"
type_text 'f(21)'; keys Enter
wait_for '^\[1\] 42$' && wait_for '^In \[3\]: $'
check $? "ir: the function defined in the block works (R's values are display_data: no Out[n])"

type_text 'data.fr'; keys Tab
wait_for '^In \[3\]: data\.frame$' 15; check $? "ir: Tab completes a dotted R name"
keys C-u
type_text 'past'; keys Tab
wait_for '^In \[3\]: paste$' 15
keys Tab Tab
wait_for 'paste0' 15; check $? "ir: Tab Tab lists the kernel's candidates"
keys C-u

type_text 'nm <- readline("Name? ")'; keys Enter
wait_for '^Name\? $'; check $? "ir: readline() shows its prompt"
type_text 'Ada'; keys Enter
wait_for '^In \[4\]: $'
type_text 'nm'; keys Enter
wait_for '^\[1\] "Ada"$'; check $? "ir: readline() got the typed answer"

type_text 'stop("bad")'; keys Enter
wait_for '^Error in eval\(expr, envir, enclos\): bad$' && wait_for '^In \[6\]: $'
check $? "ir: an error shows R's message and the next prompt"

type_text '\threads'; keys Enter
wait_for 'IRkernel\) does not support routing'; check $? "ir: \\threads says the kernel has no routing"

# Another client's output reaches this console, marked (the kernel's connection file is the
# only one in our runtime dir).
type_text 'y <- 5'
"$BOBBIN" exec --existing -c 'cat("from elsewhere\n")' >/dev/null 2>&1
wait_for '^from elsewhere$' 20 && wait_for '^\[from another client\]$'
check $? "ir: another client's output is shown and marked"
keys C-u

type_text 'cat("sleeping\n"); Sys.sleep(60)'; keys Enter
wait_for '^sleeping$'
t0=$(date +%s)
keys C-c
wait_for '^In \[[0-9]+\]: $' 20 && [ $(($(date +%s) - t0)) -lt 15 ]
check $? "ir: Ctrl-C interrupts Sys.sleep(60) and the prompt returns"
type_text 'cat("alive\n")'; keys Enter
wait_for '^alive$'; check $? "ir: the kernel runs code after the interrupt"
keys C-d
wait_for '^\[exit 0\]$'; check $? "ir: Ctrl-D exits with status 0"

echo "1..$N"
[ "$FAILED" -eq 0 ]
