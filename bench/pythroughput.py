"""Python Banyan's performance comparison done by pyzmq components (as
BanyanBase does it: packb/unpackb, two frames), lossless (HWM 0), for the
side-by-side in compare-throughput.sh: a subscriber process and a publisher
process; the subscriber prints {"Delivered", "MsgPerSec"} as JSON.

  pythroughput.py sub HOST PUB_PORT SUB_PORT N
  pythroughput.py pub HOST PUB_PORT SUB_PORT N [RATE]

With RATE (messages per second), the publisher paces itself to an absolute
schedule, one message at a time, as a sensor does (compare-unbatched.sh).
"""
import json
import sys
import time

import msgpack
import zmq

role, host, pub_port, sub_port, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ctx = zmq.Context()
if role == "sub":
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.RCVHWM, 0)
    s.connect("tcp://%s:%s" % (host, sub_port))
    s.setsockopt(zmq.SUBSCRIBE, b"test")
    s.setsockopt(zmq.SUBSCRIBE, b"warm")
    print("READY", flush=True)
    got, first = 0, None
    s.setsockopt(zmq.RCVTIMEO, 5000)
    try:
        while got < n:
            topic, payload = s.recv_multipart()
            if topic == b"warm":
                continue
            v = msgpack.unpackb(payload, raw=False)["msg"]
            if got == 0:
                first = time.perf_counter()
            got += 1
            last = time.perf_counter()
    except zmq.Again:
        pass
    print(json.dumps({"Delivered": got, "MsgPerSec": (got - 1) / (last - first) if got > 1 else 0}), flush=True)
else:
    p = ctx.socket(zmq.PUB)
    p.setsockopt(zmq.SNDHWM, 0)
    p.connect("tcp://%s:%s" % (host, pub_port))
    time.sleep(1.0)  # slow joiner: Python Banyan sleeps 0.3 s; be generous
    rate = float(sys.argv[6]) if len(sys.argv) > 6 else 0
    start = time.perf_counter()
    for i in range(n):
        if rate:
            ahead = start + i / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
        p.send_multipart([b"test", msgpack.packb({"msg": i}, use_bin_type=True)])
    p.close(linger=-1)
    ctx.term()
