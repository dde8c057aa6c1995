# Test peer: what Python mgw does to payloads, line by line on stdin.
#   "d <hex msgpack>" -> json.dumps(msgpack.unpackb(data, raw=False))
#   "l <hex text>"    -> msgpack.packb(json.loads(text), use_bin_type=True)
# Answers "ok <hex>" or "err <exception class>".
import json
import sys

import msgpack

for line in sys.stdin:
    op, _, arg = line.strip().partition(" ")
    data = bytes.fromhex(arg)
    try:
        if op == "d":
            out = json.dumps(msgpack.unpackb(data, raw=False)).encode()
        else:
            out = msgpack.packb(json.loads(data.decode()), use_bin_type=True)
        print("ok", out.hex(), flush=True)
    except Exception as e:
        print("err", type(e).__name__, flush=True)
