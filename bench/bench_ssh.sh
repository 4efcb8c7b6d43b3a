#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark (not a test): a kernel through --ssh's tunnel against the same kernel directly, on
# loopback (a private sshd on 127.0.0.1, as tests/e2e/test_ssh.sh sets it up): the median `1+1`
# round trip (execute to reply and idle, libkernelclient, bench/sshbench.c) and the attach time
# to ready, RUNS runs of each interleaved (direct, ssh, direct, ...); then `bobbin exec
# --existing -c 1+1` end to end, direct and with --ssh. Medians with min-max, and the ratios.
# Loopback shows what the tunnel itself costs (ssh's encryption and the extra hops), not the
# network. Usage: sh bench/bench_ssh.sh  (B: the build directory, default build/rel-cc)
B=${B:-build/rel-cc}
BOBBIN=${BOBBIN:-$PWD/bobbin}
RUNS=${RUNS:-5}
N=${N:-200}
[ -x "$B/bench/sshbench" ] || make -s "$B/bench/sshbench" >/dev/null || exit 1
T=$(mktemp -d /tmp/bobbin-bench-ssh-XXXXXX)
. tests/e2e/ssh/lib.sh
KPID=""
trap 'ssh_down; [ -n "$KPID" ] && kill $KPID 2>/dev/null; rm -rf "$T"' EXIT
[ -x "$SSHD" ] || { echo "no $SSHD: make deps installs openssh-server"; exit 1; }
ssh_up || exit 1
setsid /usr/bin/python3 -m ipykernel_launcher -f "$T/rt/kernel-bench.json" >"$T/kernel.log" 2>&1 &
KPID=$!
i=0
while [ ! -s "$T/rt/kernel-bench.json" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
export JUPYTER_RUNTIME_DIR="$T/rt"

for r in $(seq "$RUNS"); do
	"$B/bench/sshbench" "$T/rt/kernel-bench.json" "" "$N" | sed 's/^/direct /'
	"$B/bench/sshbench" "$T/rt/kernel-bench.json" $HOST "$N" | sed 's/^/ssh /'
	s=$(date +%s%N); "$BOBBIN" exec --existing=kernel-bench.json -c 1+1 >/dev/null
	echo "direct exec_ms $(( ($(date +%s%N) - s) / 1000000 ))"
	s=$(date +%s%N); "$BOBBIN" exec --ssh $HOST --existing=kernel-bench.json -c 1+1 >/dev/null
	echo "ssh exec_ms $(( ($(date +%s%N) - s) / 1000000 ))"
done >"$T/raw"
/usr/bin/python3 - "$T/raw" "$RUNS" "$N" <<'PY'
import statistics, sys
v = {}
for line in open(sys.argv[1]):
    how, key, val = line.split()
    v.setdefault((how, key), []).append(float(val))
def show(key, label):
    d, s = v.get(("direct", key), []), v.get(("ssh", key), [])
    if not d or not s:
        print("  %-34s missing" % label); return
    md, ms = statistics.median(d), statistics.median(s)
    print("  %-34s direct %8.3f (%.3f-%.3f)  ssh %8.3f (%.3f-%.3f)  ratio %.2f"
          % (label, md, min(d), max(d), ms, min(s), max(s), ms / md))
print("runs %s, %s round trips each; ms, median (min-max)" % (sys.argv[2], sys.argv[3]))
show("rtt_ms", "1+1 round trip (library)")
show("attach_ms", "attach to ready (library)")
show("exec_ms", "bobbin exec --existing -c 1+1")
PY
