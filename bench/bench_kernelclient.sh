#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# libkernelclient vs jupyter_client (and a bare pyzmq client, the kernel's floor) on the same
# kernels, in one run: median kernel_info round trip, execute-pass-to-idle, and client CPU per
# iopub message over a flood of one-line stream messages. N and LINES can be set.
B=${B:-build/rel-cc}
N=${N:-1000}
LINES=${LINES:-10000}
for k in python3 xpython; do
	out=$(mktemp)
	"$B/bench/kcbench" "$k" "$N" "$LINES" >"$out" || { echo "kcbench failed on $k"; continue; }
	/usr/bin/python3 bench/peers_kernelclient.py "$k" "$N" "$LINES" 2>/dev/null >>"$out"
	echo "-- kernel $k ($N iterations, $LINES-line flood)"
	awk '
	{ v[$1] = $2 }
	END {
		for (i = 1; i <= 3; i++) {
			split("kernel_info_ms execute_pass_ms flood_cpu_us_per_msg", keys, " ")
			k = keys[i]
			b = v[k]; j = v["jupyter_client." k]; z = v["pyzmq." k]
			printf "   %-22s bobbin %8.3f  jupyter_client %8.3f  pyzmq %8.3f   bobbin/jc %.2f  bobbin/pyzmq %.2f\n", \
				k, b, j, z, (j ? b / j : 0), (z ? b / z : 0)
		}
		printf "   flood messages: bobbin %d, jupyter_client %d\n", v["flood_messages"], v["jupyter_client.flood_messages"]
	}' "$out"
	rm -f "$out"
done
