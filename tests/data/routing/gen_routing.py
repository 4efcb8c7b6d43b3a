#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the routing scenario notebooks for tests/e2e/test_routing_run.sh: the cases of
# research/routing.md — (a) a ticker thread from C1 writing while later cells run, (b) a
# ThreadPoolExecutor made in C1 with tasks submitted in C2-C4 (lazy worker spawn, ipykernel
# #1289), (c) an I/O thread from C1 fed from C3/C4 (the ipyparallel case), (d) display() and a
# display update from a thread, (e) nested threads, (f) an asyncio task. Threads write only while
# a cell waits for them (events and queues, never timing), so where each line lands is decided by
# the routing policy alone.
#
# Each notebook carries its expectations in metadata.bobbin_test.expect: one entry per marker
# line, {"marker", "cells": {policy: cell id}, "thread": name glob or null (main-thread output: no
# attribution entry), "origin": id of the cell the output came from}. The expected cells follow
# docs/routing-protocol.md §4 on Debian's ipykernel 6.17 (stock rule: the latest request, which
# policy `kernel` applies at write time): `kernel` and `current` → the cell running at the write,
# `origin` → the cell that started the thread / submitted the task / created the asyncio task,
# `auto` → `current` (a cell is always running when these threads write).
# Run with Debian's python3: /usr/bin/python3 gen_routing.py [DIR]
import os
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def write(name, cells, expect):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    for i, c in enumerate(nb.cells):
        c["id"] = "%s-c%d" % (name, i)
    ids = lambda i: "%s-c%d" % (name, i)  # noqa: E731
    exp = []
    for marker, cells_by_policy, thread, origin in expect:
        exp.append({"marker": marker,
                    "cells": {p: ids(i) for p, i in cells_by_policy.items()},
                    "thread": thread, "origin": ids(origin)})
    nb.metadata["bobbin_test"] = {"expect": exp}
    nbformat.validate(nb)
    with open(os.path.join(OUT, name + ".ipynb"), "w", encoding="utf-8") as f:
        nbformat.write(nb, f)


def same(i):
    return {"kernel": i, "origin": i, "current": i, "auto": i}


def moved(running, origin):
    """A line written while cell `running` executes by a thread that came from cell `origin`."""
    return {"kernel": running, "origin": origin, "current": running, "auto": running}


code, md = new_code_cell, new_markdown_cell

STEP = '''
go, done = threading.Event(), threading.Event()
def step():
    """Lets the thread write once and waits until it has."""
    done.clear()
    go.set()
    assert done.wait(30), "the thread did not answer within 30 s"
def wait_go():
    assert go.wait(30), "no step within 30 s"
    go.clear()
'''

write("ticker", [
    md("(a) A ticker thread started in C1 writes one line in C1, C2 and C3."),
    code("import threading, sys\n" + STEP +
         "def tick():\n    for n in range(3):\n        wait_go()\n"
         "        print(f'tick {n}')\n        sys.stdout.flush()\n        done.set()\n"
         "threading.Thread(target=tick, name='ticker', daemon=True).start()\n"
         "print('C1 main')\nstep()"),
    code("step()\nprint('C2 main')"),
    code("step()"),
], [
    ("C1 main", same(1), None, 1),
    ("tick 0", same(1), "ticker", 1),
    ("tick 1", moved(2, 1), "ticker", 1),
    ("C2 main", same(2), None, 2),
    ("tick 2", moved(3, 1), "ticker", 1),
])

write("pool", [
    md("(b) A ThreadPoolExecutor made in C1; tasks submitted in C2 and C3 (waited for) and in C4 "
       "(released and waited for in C5). Workers are spawned lazily, in C2 and C3."),
    code("import threading\nfrom concurrent.futures import ThreadPoolExecutor\n"
         "pool = ThreadPoolExecutor(max_workers=2)\nrelease = threading.Event()\n"
         "def task(tag, wait=False):\n    if wait:\n        assert release.wait(30)\n"
         "    print(tag, flush=True)\n    return tag\nprint('C1 main')"),
    code("r = pool.submit(task, 'task from C2').result(30)"),
    code("r = pool.submit(task, 'task from C3').result(30)"),
    code("fut = pool.submit(task, 'task from C4', True)\nprint('C4 main')"),
    code("release.set()\nr = fut.result(30)"),
], [
    ("C1 main", same(1), None, 1),
    ("task from C2", same(2), "ThreadPoolExecutor-*", 2),
    ("task from C3", same(3), "ThreadPoolExecutor-*", 3),
    ("C4 main", same(4), None, 4),
    ("task from C4", moved(5, 4), "ThreadPoolExecutor-*", 4),
])

write("iothread", [
    md("(c) An I/O thread started in C1, fed from C3 and C4 (the ipyparallel case)."),
    code("import threading, queue\nq, ack = queue.Queue(), queue.Queue()\n"
         "def io():\n    while True:\n        item = q.get()\n        if item is None:\n"
         "            break\n        print(f'io {item}', flush=True)\n        ack.put(item)\n"
         "threading.Thread(target=io, name='io-thread', daemon=True).start()\n"
         "def feed(x):\n    q.put(x)\n    assert ack.get(timeout=30) == x\nprint('C1 main')"),
    code("x = 1"),
    code("feed('from C3')"),
    code("feed('from C4')"),
], [
    ("C1 main", same(1), None, 1),
    ("io from C3", moved(3, 1), "io-thread", 1),
    ("io from C4", moved(4, 1), "io-thread", 1),
])

write("display", [
    md("(d) A thread started in C1 calls display() during C2 and updates that display during C3."),
    code("import threading\nfrom IPython.display import display\n" + STEP +
         "def shows():\n    wait_go()\n    display('display from thread')\n"
         "    h = display('handle v1', display_id=True)\n    done.set()\n"
         "    wait_go()\n    h.update('handle v2')\n    done.set()\n"
         "threading.Thread(target=shows, name='displayer', daemon=True).start()\n"
         "print('C1 main')"),
    code("step()"),
    code("step()\nprint('C3 main')"),
], [
    ("C1 main", same(1), None, 1),
    ("display from thread", moved(2, 1), "displayer", 1),
    ("handle v2", moved(2, 1), "displayer", 1),
    ("C3 main", same(3), None, 3),
])

write("nested", [
    md("(e) A thread started in C1 starts an inner thread during C2; the inner one inherits "
       "C1 as its origin."),
    code("import threading\n" + STEP +
         "def inner():\n    print('inner line', flush=True)\n"
         "def outer():\n    wait_go()\n    t = threading.Thread(target=inner, name='inner')\n"
         "    t.start()\n    t.join()\n    print('outer line', flush=True)\n    done.set()\n"
         "threading.Thread(target=outer, name='outer', daemon=True).start()\nprint('C1 main')"),
    code("step()"),
], [
    ("C1 main", same(1), None, 1),
    ("inner line", moved(2, 1), "inner", 1),
    ("outer line", moved(2, 1), "outer", 1),
])

write("asyncio_task", [
    md("(f) An asyncio task created in C1 runs while C2 awaits it."),
    code("import asyncio\nev = asyncio.Event()\nasync def later():\n    await ev.wait()\n"
         "    print('from the task', flush=True)\n"
         "task = asyncio.get_event_loop().create_task(later())\nprint('C1 main')"),
    code("ev.set()\nawait asyncio.wait_for(task, 30)\nprint('C2 main')"),
], [
    ("C1 main", same(1), None, 1),
    ("from the task", moved(2, 1), "MainThread", 1),
    ("C2 main", same(2), None, 2),
])

write("openline", [
    md("Unfinished lines (issue 10): a line one cell leaves open must not pull the next cell's "
       "output into it, whoever wrote it and whatever the policy."),
    code('print("A", end="")'),
    code('print("B", end="")'),
    code('print("C")'),
    code('import sys, time\nfor i in range(5):\n    print(f"\\rP {i}", end="", flush=True)\n'
         '    time.sleep(0.01)'),
    code('print("D")'),
    code('print("G", end="", file=sys.stderr)'),
    code('print("H", file=sys.stderr)'),
    code('import threading\nt = threading.Thread(target=lambda: print("T-open", end=""), name="half")\n'
         't.start()\nt.join()'),
    code('print("E")'),
], [
    ("A", same(1), None, 1),
    ("B", same(2), None, 2),
    ("C", same(3), None, 3),
    ("P 4", same(4), None, 4),
    ("D", same(5), None, 5),
    ("G", same(6), None, 6),
    ("H", same(7), None, 7),
    ("T-open", same(8), "half", 8),
    ("E", same(9), None, 9),
])
