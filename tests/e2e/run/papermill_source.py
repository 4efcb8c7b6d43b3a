#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# The source papermill's Python translator writes for an injected parameters cell (papermill
# translators.py, without black): "# Parameters", then "name = literal" per parameter, strings
# as str.encode("unicode_escape") with '"' escaped, in double quotes; floats that are not finite
# as float('nan') / float('inf') / float('-inf'). Values are typed from the command line as
# papermill's cli._resolve_type types them. Usage: papermill_source.py NAME VALUE ... (prints it)
import math
import sys


def resolve(value):
    if value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[value]
    for conv in (int, float):
        try:
            return conv(value)
        except ValueError:
            pass
    return value


def literal(v):
    if isinstance(v, str):
        return '"' + v.encode("unicode_escape").decode("utf-8").replace('"', r'\"') + '"'
    if isinstance(v, float) and not math.isfinite(v):
        return "float('nan')" if math.isnan(v) else "float('-inf')" if v < 0 else "float('inf')"
    if isinstance(v, list):
        return "[" + ", ".join(literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(x)}" for k, x in v.items()) + "}"
    return str(v)


args = sys.argv[1:]
params = {}
for i in range(0, len(args), 2):
    params[args[i]] = resolve(args[i + 1])
sys.stdout.write("# Parameters\n" + "".join(f"{k} = {literal(v)}\n" for k, v in params.items()))
