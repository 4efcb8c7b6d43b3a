#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every test program (unit, integration, fuzz corpus replay), source check (tests/lint),
# agent and e2e script, each of which prints TAP lines ("ok N - …" / "not ok N - …"), and ends
# with one line "N passed, N failed".
# A program that exits non-zero without reporting a failure counts as one failure.
# TESTS=pattern runs only the programs and scripts whose name contains pattern.
B=${B:-build/rel-cc}
export BOBBIN="$PWD/$B/bobbin" CMOCKA_MESSAGE_OUTPUT=tap
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:fast_unwind_on_malloc=0}"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
log=$(mktemp -d)
pass=0 fail=0
run_one() {
	name=$1; shift
	case "$name" in *"${TESTS:-}"*) ;; *) return ;; esac
	out="$log/$(basename "$name").out"
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $name exited $rc" >>"$out"; fi
	pass=$((pass + p)) fail=$((fail + f))
	printf '%-40s %3d passed, %d failed (%ds)\n' "$(basename "$name")" "$p" "$f" $(( $(date +%s) - start ))
	if [ "$f" -ne 0 ] || [ -n "${VERBOSE:-}" ]; then sed 's/^/    /' "$out" | tail -60; fi
}
for t in "$B"/tests/test_* "$B"/tests/fuzz_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	case "$t" in */fuzz_*) run_one "$t" "$t" tests/fuzz/corpus/"$(basename "$t")" ;; *) run_one "$t" "$t" ;; esac
done
for t in tests/lint/*.sh tests/agent/test_*.sh tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	run_one "$t" sh "$t"
done
rm -rf "$log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
