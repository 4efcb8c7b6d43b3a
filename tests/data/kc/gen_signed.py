# SPDX-License-Identifier: GPL-3.0-or-later
# Generates signed.json: frames of messages signed by jupyter_client's Session with a known key,
# so the C codec's HMAC can be checked against the reference implementation. Run once with
# Debian's Python (/usr/bin/python3 gen_signed.py); the output is committed.
import json
from jupyter_client.session import Session

out = []
for scheme, key in (("hmac-sha256", b"fe6731a0-0e42e2b7d2a02a4dd4899512"),
                    ("hmac-sha512", b"another key \xc3\xa9")):
    s = Session(key=key, signature_scheme=scheme, username="tester")
    msg = s.msg("execute_request", {"code": "print('h\u00e9llo \u4e16\u754c')", "silent": False})
    frames = s.serialize(msg, ident=[b"ident-1", b"ident-2"])
    out.append({"scheme": scheme, "key": key.decode(),
                "frames": [f.decode("utf-8") for f in frames]})
json.dump(out, open("signed.json", "w"), indent=1, ensure_ascii=False)
