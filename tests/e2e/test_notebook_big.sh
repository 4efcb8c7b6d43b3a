#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A large notebook in the notebook screen: the first screen comes from the first slice of the
# file while the rest is read from the loop (nb_doc_open); once it is all read the cell count is
# the file's and the kernel starts; a key pressed while reading waits for the rest; a file that
# turns out bad after its first cells ends bobbin with the same one-line refusal a load at once
# gives (file, line:column, cause), status 1, the file untouched. Prints TAP. Needs $BOBBIN, tmux.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BOBBIN=${BOBBIN:-$HERE/../../bobbin}
T=$(mktemp -d /tmp/bobbin-nbbig-XXXXXX)
. "$HERE/nb/lib.sh"
trap cleanup EXIT INT TERM

# big.ipynb: 3,000 cells of ~4 KB (about 12 MB, more than the 4 MB first slice), the first and
# the last cells' sources marked; bad.ipynb: the same with a NaN in the last cell.
$PY - "$T" <<'PYEOF'
import json, sys, os
cells = []
for i in range(3000):
    src = "FIRST-CELL-SOURCE" if i == 0 else ("LAST-CELL-SOURCE" if i == 2999 else "x = %d" % i)
    cells.append({"cell_type": "code", "execution_count": None, "id": "c%d" % i, "metadata": {},
                  "outputs": [{"name": "stdout", "output_type": "stream", "text": ["pad %d " % i + "y" * 4000 + "\n"]}],
                  "source": [src]})
nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
      "nbformat": 4, "nbformat_minor": 5}
text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
open(os.path.join(sys.argv[1], "big.ipynb"), "w").write(text)
bad = text.replace('"execution_count": null,\n   "id": "c2999"', '"execution_count": NaN,\n   "id": "c2999"')
assert bad != text
open(os.path.join(sys.argv[1], "bad.ipynb"), "w").write(bad)
PYEOF
sum_before=$(md5sum <"$T/bad.ipynb")

start -- big.ipynb
t "big: the first cell is on the first screen" "FIRST-CELL-SOURCE"
t "big: once read, the cell count is the file's and the kernel is up" "cell 1/3000" 60
idle && ok "big: the kernel started after the whole file was read" || notok "big: kernel idle"
keys G
t "big: G goes to the last cell" "LAST-CELL-SOURCE" 20
cmd "q!"
t "big: quits" "BOBBIN-EXIT 0" 20

# a key while the file is still being read: it waits for the rest, then acts on the whole notebook
start -- big.ipynb
keys G
t "big: a key pressed at once acts on the whole notebook" "LAST-CELL-SOURCE" 30
cmd "q!"

start -- bad.ipynb
t "bad tail: bobbin ends with status 1" "BOBBIN-EXIT 1" 30
line=$(screen | grep -F "bobbin: bad.ipynb:" | head -1)
case "$line" in
*"bad.ipynb:"*":"*"NaN is not valid JSON"*) ok "bad tail: one line names the file, the position and the cause" ;;
*) notok "bad tail: the refusal" "got: $line" ;;
esac
[ "$(md5sum <"$T/bad.ipynb")" = "$sum_before" ] && ok "bad tail: the file is untouched" ||
	notok "bad tail: the file changed"
echo "1..$n"
