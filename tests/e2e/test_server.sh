#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# --server URL end to end against a real Jupyter Server (Debian's jupyter-server 1.23) on
# loopback (tests/e2e/server/lib.sh): bobbin kernels, exec and run on a kernel the server starts
# (shut down on quit, kept with --server-keep, attached again by an id prefix), the routing
# agent over the WebSocket, `bobbin run --server` matching a local `bobbin run` on the
# conformance corpus, the notebook screen on a server kernel, https with a throw-away
# certificate and --ca-file, and bad input (a wrong token, a wrong URL, nobody listening, a bad
# certificate): exit 2 and one line naming the URL and the cause. Prints TAP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
case $BOBBIN in /*) ;; *) BOBBIN=$PWD/$BOBBIN ;; esac
T=$(mktemp -d /tmp/bobbin-server-test-XXXXXX)
. "$HERE/nb/lib.sh"
. "$HERE/server/lib.sh"
trap 'srv_down; cleanup' EXIT INT TERM
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2" "${3:-}" "${4:-}"; fi; }
unset JUPYTER_TOKEN

if ! $SRV_PY -c 'import jupyter_server' 2>/dev/null; then
	echo "1..0 # SKIP no jupyter_server (make deps installs python3-jupyter-server)"
	exit 0
fi
srv_up || { echo "not ok 1 - the server starts"; exit 1; }
ok "a Jupyter Server on $SRV_URL answers"
TF="$T/token"
S="--server $SRV_URL --token-file $TF"

# ---- bobbin kernels ----
out=$("$BOBBIN" kernels $S 2>"$T/err"); rc=$?
echo "$out" | grep -q '^python3 *python' && echo "$out" | grep -q '^(none)$'
check $? "kernels --server: the server's kernelspecs and no running kernel" "rc=$rc $out $(cat "$T/err")"

# ---- exec: a kernel started by the server, shut down on quit ----
out=$(JUPYTER_TOKEN=$(cat "$TF") "$BOBBIN" exec --server "$SRV_URL" -c 'import os; print(os.getcwd()); 6*7' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = "$T/root
42" ]; check $? "exec --server (JUPYTER_TOKEN): runs on the server's kernel, in its root" "rc=$rc out=$out err=$(cat "$T/err")"
[ "$(srv_kernels)" = 0 ]; check $? "exec --server: the kernel is shut down on quit" "$(srv_api api/kernels)"

# --server-keep, then --existing=PREFIX
"$BOBBIN" exec $S --server-keep -c 'kept = 7' >"$T/out" 2>"$T/err"; rc=$?
id=$(sed -n 's/.*--existing=\([0-9a-f-]*\)$/\1/p' "$T/err")
[ "$rc" = 0 ] && [ -n "$id" ] && [ "$(srv_kernels)" = 1 ]
check $? "--server-keep: the kernel keeps running and its id is named" "rc=$rc $(cat "$T/err")"
prefix=$(echo "$id" | cut -c1-8)
out=$("$BOBBIN" exec $S --existing="$prefix" -c 'kept * 6' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = 42 ] && [ "$(srv_kernels)" = 1 ]
check $? "--existing=PREFIX attaches to it, and leaves it running" "rc=$rc out=$out $(cat "$T/err")"
out=$(printf 'kept + 1\n' | "$BOBBIN" console $S --existing="$id" 2>"$T/err"); rc=$?
echo "$out" | grep -q '^Out\[[0-9]*\]: 8 *$'; check $? "console --server --existing: code from stdin runs" "rc=$rc out=$out $(cat "$T/err")"
srv_api "api/kernels/$id" DELETE >/dev/null

# The routing agent works over the WebSocket (its comm messages both ways).
out=$("$BOBBIN" exec $S --routing current -c 'import threading
t = threading.Thread(target=lambda: print("from the thread")); t.start(); t.join()' 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && [ "$out" = "from the thread" ] && ! grep -q routing "$T/err"
check $? "exec --server --routing current: the agent answers over the WebSocket" "rc=$rc out=$out $(cat "$T/err")"

# ---- bad input: exit 2, one line with the URL and the cause ----
bad() { # bad NAME EXPECTED-TEXT ARGS...
	name=$1 want=$2; shift 2
	"$BOBBIN" exec "$@" -c 1 >"$T/out" 2>"$T/err"; rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -qF -- "$want" "$T/err"
	check $? "$name" "rc=$rc $(cat "$T/err")"
}
echo wrong >"$T/wrong"
bad "a wrong token: 403, named with the URL" "${SRV_URL}api/kernels: HTTP 403" --server "$SRV_URL" --token-file "$T/wrong"
bad "a wrong base path: 404, not a Jupyter Server API" "${SRV_URL}user/x/api/kernels: HTTP 404: not a Jupyter Server API" --server "${SRV_URL}user/x" --token-file "$TF"
p=$(srv_port)
bad "nobody listening: the URL and curl's cause" "http://127.0.0.1:$p/api/kernels: Couldn't connect" --server "http://127.0.0.1:$p/" --token-file "$TF"
bad "no such kernel for --existing" "no running kernel whose id starts with \"00000\"" $S --existing=00000
bad "a missing token file" "$T/nope: No such file" --server "$SRV_URL" --token-file "$T/nope"
bad "not a URL" "not an http:// or https:// URL" --server "127.0.0.1:$SRV_PORT" --token-file "$TF"
[ "$(srv_kernels)" = 0 ]; check $? "after the failures no kernel is left on the server" "$(srv_api api/kernels)"

# ---- bobbin run --server matches a local bobbin run on the conformance corpus ----
DATA="$HERE/../data/conformance"
same=0 diff=0 msgs=""
for src in "$DATA"/*.ipynb; do
	name=$(basename "$src" .ipynb)
	case "$name" in bobbin_*) continue ;; esac
	d="$T/root/$name"; mkdir -p "$d/local"
	cp "$src" "$d/nb.ipynb"; cp "$src" "$d/local/nb.ipynb"
	(cd "$d" && "$BOBBIN" run --allow-errors $S nb.ipynb -o server.ipynb >out 2>err; echo $? >rc)
	(cd "$d/local" && "$BOBBIN" run --allow-errors nb.ipynb -o local.ipynb >out 2>err; echo $? >rc)
	if [ "$(cat "$d/rc")" = "$(cat "$d/local/rc")" ] &&
		m=$($PY "$HERE/run/compare.py" "$d/server.ipynb" "$d/local/local.ipynb" 2>&1); then
		same=$((same + 1))
	else
		diff=$((diff + 1)); msgs="$msgs $name: rc $(cat "$d/rc")/$(cat "$d/local/rc") ${m:-} $(head -c 300 "$d/err")"
	fi
done
[ "$diff" = 0 ] && [ "$same" -gt 5 ]
check $? "run --server: $same conformance notebooks match the local run" "$msgs"
until_ok 20 [ "$(srv_kernels)" = 0 ]; check $? "run --server: no kernel left on the server" "$(srv_api api/kernels)"

# ---- the notebook screen on a server kernel ----
cat >"$T/nb.ipynb" <<'EOF'
{"cells": [{"cell_type": "code", "execution_count": null, "id": "c1", "metadata": {},
  "outputs": [], "source": "print('sum', 40 + 2)"},
 {"cell_type": "code", "execution_count": null, "id": "c2", "metadata": {},
  "outputs": [], "source": "import time; time.sleep(3); print('after', 'the drop')"}],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
 "nbformat": 4, "nbformat_minor": 5}
EOF
start JUPYTER_TOKEN="$(cat "$TF")" -- --server "$SRV_URL" nb.ipynb
wait_for "python3 on $SRV_URL" 60; check $? "notebook: the status line names the kernel and the server"
wait_for "idle" 60
keys F5
wait_for "sum 42" 60; check $? "notebook: a cell runs on the server kernel"
# The WebSocket cut under a running cell: ss -K aborts the TCP connections to the server's port
# (only that port: an empty one would match every loopback connection of the machine).
keys j; wait_for "cell 2/2" 10; keys F5
wait_for " busy" 20
case $SRV_PORT in
[1-9]*) killed=$(ss -K dst 127.0.0.1 dport = ":$SRV_PORT" 2>/dev/null | grep -c ESTAB) ;;
*) killed=0 ;;
esac
if [ "$killed" -gt 0 ]; then
	# (the status line's "server link lost" lasts the 0.5 s until the first reconnection: too
	# short to assert on a loaded machine; test_server.c asserts the state itself)
	wait_for "after the drop" 40; check $? "notebook: the cell's output arrives after the reconnection"
	wait_for "output may be missing" 30; check $? "notebook: the cell is marked: output may be missing"
	wait_for " idle" 30; check $? "notebook: idle again after the reconnection"
else
	ok "# SKIP ss -K cannot abort connections here"
fi
keys Escape ":q!" Enter
wait_for "BOBBIN-EXIT 0" 30; check $? "notebook: quits cleanly"
until_ok 20 [ "$(srv_kernels)" = 0 ]
check $? "notebook: its kernel is shut down on quit" "$(srv_api api/kernels)" "$(grep -E 'Kernel (started|shutdown)|Restoring|DELETE' "$T/server.log")"
srv_down

# ---- https with a throw-away certificate ----
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
SRV_SCHEME=https SRV_CERT="$T/cert.pem" SRV_KEY="$T/key.pem" SRV_CA="$T/cert.pem"
if srv_up; then
	S="--server $SRV_URL --token-file $TF"
	out=$("$BOBBIN" exec $S --ca-file "$T/cert.pem" -c 'print("over tls")' 2>"$T/err"); rc=$?
	[ "$rc" = 0 ] && [ "$out" = "over tls" ]
	check $? "https: exec with --ca-file runs over TLS (REST and WebSocket)" "rc=$rc out=$out $(cat "$T/err")"
	bad "https without the CA: the certificate is refused, named with the URL" "${SRV_URL}api/kernels: " $S
	grep -qi "certificate" "$T/err"; check $? "https without the CA: the cause says certificate" "$(cat "$T/err")"
else
	notok "the https server starts"
fi
srv_down
[ -z "$(srv_leftovers)" ]; check $? "no server or kernel process left" "$(srv_leftovers)"
echo "1..$n"
