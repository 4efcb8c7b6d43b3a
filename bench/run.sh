#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every bench/bench_*.sh in turn; each compares bobbin with its peer in one run and prints
# both figures and their ratio. BENCH=pattern runs a subset. B is the build directory.
B=${B:-build/rel-cc}
export B BOBBIN="$PWD/bobbin"
for b in bench/bench_*.sh; do
	case "$b" in *"${BENCH:-}"*) ;; *) continue ;; esac
	echo "== $(basename "$b" .sh)"
	sh "$b" || echo "   ($b failed)"
done
