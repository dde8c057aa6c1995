"""The echo round trip done by pyzmq peers, for comparison with ours.

  pyecho.py server HOST PUB_PORT SUB_PORT      republish "echo" on "reply"
  pyecho.py client HOST PUB_PORT SUB_PORT N    N round trips, print JSON stats
  pyecho.py direct HOST PUB_PORT SUB_PORT      a server with no forwarder: it binds
                                               (SUB on PUB_PORT, PUB on SUB_PORT) and
                                               the client connects to it directly

Both use blocking receives (no polling sleep), packb(use_bin_type=True) and
unpackb(raw=False) as Python Banyan components do.
"""
import json
import sys
import time

import msgpack
import zmq

role, host, pub_port, sub_port = sys.argv[1:5]
ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
sub = ctx.socket(zmq.SUB)
if role == "direct":
    sub.bind("tcp://%s:%s" % (host, pub_port))
    pub.bind("tcp://%s:%s" % (host, sub_port))
    role = "server"
else:
    pub.connect("tcp://%s:%s" % (host, pub_port))
    sub.connect("tcp://%s:%s" % (host, sub_port))

if role == "server":
    sub.setsockopt(zmq.SUBSCRIBE, b"echo")
    while True:
        topic, payload = sub.recv_multipart()
        msgpack.unpackb(payload, raw=False)
        pub.send_multipart([b"reply", payload])
else:
    n = int(sys.argv[5])
    sub.setsockopt(zmq.SUBSCRIBE, b"reply")
    # Wait until the round trip works (slow joiner), then measure.
    sub.setsockopt(zmq.RCVTIMEO, 50)
    for attempt in range(200):  # 10 s at most
        pub.send_multipart([b"echo", msgpack.packb({"message_number": -1}, use_bin_type=True)])
        try:
            sub.recv_multipart()
            break
        except zmq.Again:
            pass
    else:
        sys.exit("no reply from the echo server within 10 s")
    sub.setsockopt(zmq.RCVTIMEO, 100)
    while True:  # drain extra warm-up replies
        try:
            sub.recv_multipart()
        except zmq.Again:
            break
    sub.setsockopt(zmq.RCVTIMEO, 5000)
    rtts = []
    for i in range(n):
        t0 = time.perf_counter()
        pub.send_multipart([b"echo", msgpack.packb({"message_number": i}, use_bin_type=True)])
        topic, payload = sub.recv_multipart()
        msgpack.unpackb(payload, raw=False)
        rtts.append((time.perf_counter() - t0) * 1e6)
    rtts.sort()
    print(json.dumps({"n": n, "median_us": rtts[n // 2], "p99_us": rtts[int(n * 0.99)]}))
