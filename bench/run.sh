#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every bench/bench_*.sh in turn, each under a time limit (a step that overruns is killed and
# reported, and the next one runs), so `make bench` finishes unattended in under 30 minutes. Each
# compares bobbin with its peers in one run, runs interleaved (bobbin, peer, bobbin, peer, ...),
# and prints medians with min-max and the ratios. The load average is printed before and after
# every step: the figures mean little without it. ONLY=pattern runs a subset (BENCH is the
# Makefile's list of bench programs, so `make bench BENCH=...` cannot be used). B is the build
# directory.
B=${B:-build/rel-cc}
export B BOBBIN="$PWD/bobbin"
# seconds per step; together under 30 minutes (bench_run_many alone is ~100 s a round)
limit() {
	case $1 in
	bench_console) echo 240 ;;
	bench_kernelclient) echo 150 ;;
	bench_nbformat) echo 90 ;;
	bench_routing) echo 120 ;;
	bench_run) echo 120 ;;
	bench_run_many) echo 480 ;;
	bench_ssh) echo 120 ;;
	bench_tui) echo 300 ;;
	*) echo 120 ;;
	esac
}
start=$(date +%s)
echo "bobbin $(git describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
for b in bench/bench_*.sh; do
	case "$b" in *"${ONLY:-}"*) ;; *) continue ;; esac
	name=$(basename "$b" .sh)
	s=$(date +%s)
	echo "== $name (load average $(cut -d' ' -f1-3 /proc/loadavg); limit $(limit "$name") s)"
	timeout -k 5 "$(limit "$name")" sh "$b"
	rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "   ($name TIMED OUT after $(limit "$name") s: figures above, if any, are partial)"
	elif [ "$rc" -ne 0 ]; then
		echo "   ($name failed: exit $rc)"
	fi
	echo "   ($name: $(( $(date +%s) - s )) s; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
done
echo "== all benchmarks: $(( $(date +%s) - start )) s"
