# SPDX-License-Identifier: GPL-3.0-or-later
# Setup shared by the `bobbin run` end-to-end scripts (tests/e2e/test_run.sh and
# test_routing_run.sh), sourced after they set HERE (tests/e2e) and TMPNAME (a word for the temp
# dir's name): Debian's Python as $PY, $BOBBIN, a temp dir $T removed on exit, holding the
# kernels' runtime dir and an empty config dir, and the TAP counters ok/notok. POSIX sh.
PY=/usr/bin/python3
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d "/tmp/bobbin-$TMPNAME-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export JUPYTER_RUNTIME_DIR="$T/runtime" XDG_CONFIG_HOME="$T/config"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$XDG_CONFIG_HOME"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
# notok NAME [LINE...]: a failure, with each LINE as a TAP comment
notok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
