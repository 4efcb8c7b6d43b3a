#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The routing agent's cost and toggle latency on one ipykernel, in one run: 4 threads print
# 100,000 lines without the agent, with it at policy kernel and at policy origin (kernel-side
# time, median of ROUNDS), and the delay from a set_thread toggle during a running cell to the
# first output routed by the new policy. The measuring client is tests/agent/harness.py.
ROUNDS=${ROUNDS:-3}
/usr/bin/python3 tests/agent/bench_agent.py "$ROUNDS" 2>/dev/null
