#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# libkernelclient vs jupyter_client (and a bare pyzmq client, the kernel's floor) on the same
# kernels, in one run: median kernel_info round trip, execute-pass-to-idle, and client CPU per
# iopub message over a flood of one-line stream messages (print(i, flush=True): one or two
# messages a line). ROUNDS rounds, interleaved (bobbin, then the peers, per round, each on a fresh
# kernel and limited to STEP seconds); each figure is the median of the rounds with min-max.
# N (round trips per round), LINES and ROUNDS can be set.
B=${B:-build/rel-cc}
N=${N:-200}
LINES=${LINES:-10000}
ROUNDS=${ROUNDS:-3}
STEP=${STEP:-40}
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
for k in python3 xpython; do
	: >"$out"
	for r in $(seq "$ROUNDS"); do
		timeout -k 2 "$STEP" "$B/bench/kcbench" "$k" "$N" "$LINES" 2>/dev/null >>"$out" ||
			echo "timeout.bobbin 1" >>"$out"
		timeout -k 2 "$STEP" /usr/bin/python3 bench/peers_kernelclient.py "$k" "$N" "$LINES" \
			2>/dev/null >>"$out" || echo "timeout.peers 1" >>"$out"
	done
	echo "-- kernel $k ($ROUNDS rounds interleaved; $N round trips, $LINES-line flood; median (min-max))"
	awk -v lines="$LINES" '
	{ k = $1; n[k]++; v[k, n[k]] = $2 }
	function stat(k,   i, j, t, m, c) {
		c = n[k]
		if (!c) return "        -          "
		for (i = 1; i <= c; i++) a[i] = v[k, i]
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		m = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
		med[k] = m
		return sprintf("%7.3f (%.3f-%.3f)", m, a[1], a[c])
	}
	function ratio(a, b) { return (a in med) && (b in med) && med[b] ? sprintf("%.2f", med[a] / med[b]) : "-" }
	END {
		split("kernel_info_ms execute_pass_ms flood_cpu_us_per_msg", keys, " ")
		printf "   %-21s %-24s %-24s %-24s %s\n", "", "bobbin", "jupyter_client", "pyzmq", "bobbin/jc bobbin/pyzmq"
		for (i = 1; i <= 3; i++) {
			k = keys[i]
			b = stat(k); j = stat("jupyter_client." k); z = stat("pyzmq." k)
			printf "   %-21s %-24s %-24s %-24s %s %s\n", k, b, j, z, ratio(k, "jupyter_client." k), ratio(k, "pyzmq." k)
		}
		printf "   flood messages received (per round): bobbin"
		for (i = 1; i <= n["flood_messages"]; i++) printf " %d%s", v["flood_messages", i], v["flood_idle", i] ? "" : " (no idle)"
		printf "; jupyter_client"
		for (i = 1; i <= n["jupyter_client.flood_messages"]; i++) printf " %d%s", v["jupyter_client.flood_messages", i], v["jupyter_client.flood_idle", i] ? "" : " (no idle)"
		printf "; pyzmq"
		for (i = 1; i <= n["pyzmq.flood_messages"]; i++) printf " %d%s", v["pyzmq.flood_messages", i], v["pyzmq.flood_idle", i] ? "" : " (no idle)"
		printf "\n"
		if (n["timeout.bobbin"] || n["timeout.peers"])
			printf "   runs that failed or ran out of time: bobbin %d, peers %d\n", n["timeout.bobbin"], n["timeout.peers"]
	}' "$out"
done
