#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test): a kernel on a real Jupyter Server (Debian's jupyter-server, started on
# loopback as tests/e2e/test_server.sh does) through libkernelclient's WebSocket transport
# (bench/srvbench.c: the v1 framing, and the legacy one) against a
# stdlib-only Python client of the same WebSocket (bench/peers_server.py, legacy framing), on the
# same kernel (plain, and "pyquick": with TCP_QUICKACK as libkernelclient sets it, so the
# comparison is of the clients and not of a delayed ACK), RUNS rounds interleaved: the median kernel_info round trip over N, and the
# client's own CPU time for a cell printing 10,000 lines. Medians with min-max, and the ratios.
# Usage: sh bench/bench_server.sh  (B: the build directory, default build/rel-cc)
B=${B:-build/rel-cc}
RUNS=${RUNS:-5}
N=${N:-200}
[ -x "$B/bench/srvbench" ] || make -s "$B/bench/srvbench" >/dev/null || exit 1
T=$(mktemp -d /tmp/bobbin-bench-server-XXXXXX)
. tests/e2e/server/lib.sh
trap 'srv_down; rm -rf "$T"' EXIT
srv_up || exit 1
export JUPYTER_TOKEN
JUPYTER_TOKEN=$(cat "$T/token")
id=$(srv_api api/kernels POST | $SRV_PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for r in $(seq "$RUNS"); do
	"$B/bench/srvbench" "$SRV_URL" "$id" "$N" | sed 's/^/v1 /'
	"$B/bench/srvbench" "$SRV_URL" "$id" "$N" legacy | sed 's/^/legacy /'
	$SRV_PY bench/peers_server.py "$SRV_URL" "$id" "$N" | sed 's/^/python /'
	$SRV_PY bench/peers_server.py "$SRV_URL" "$id" "$N" quickack | sed 's/^/pyquick /'
done >"$T/raw"
$SRV_PY - "$T/raw" "$RUNS" "$N" <<'PY'
import statistics, sys
v = {}
for line in open(sys.argv[1]):
    how, key, val = line.split()
    v.setdefault((how, key), []).append(float(val))
def med(how, key):
    x = v.get((how, key), [])
    return statistics.median(x) if x else float("nan"), min(x or [0]), max(x or [0])
print(f"# {sys.argv[2]} rounds, {sys.argv[3]} kernel_info round trips each, one kernel on loopback")
for key, unit in (("rtt_ms", "ms"), ("flood_cpu_ms", "ms CPU"), ("flood_wall_ms", "ms wall")):
    for how in ("v1", "legacy", "python", "pyquick"):
        m, lo, hi = med(how, key)
        print(f"{key:14} {how:7} {m:9.3f} {unit} ({lo:.3f}-{hi:.3f})")
    for peer in ("python", "pyquick"):
        p = med(peer, key)[0]
        for how in ("v1", "legacy"):
            print(f"{key:14} {how}/{peer} ratio {med(how, key)[0] / p:.2f}")
PY
