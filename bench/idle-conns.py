# Idle peers for bench/idle-rss.sh: N pyzmq SUB+PUB pairs on a backplane,
# one 3,000-byte message from each PUB, then quiet; prints READY and waits.
import sys, time, zmq, os
n = int(sys.argv[1]); port_pub = sys.argv[2]; port_sub = sys.argv[3]
ctx = zmq.Context()
socks = []
for i in range(n):
    s = ctx.socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b"idle"); s.connect("tcp://127.0.0.1:%s" % port_sub); socks.append(s)
    p = ctx.socket(zmq.PUB); p.connect("tcp://127.0.0.1:%s" % port_pub); socks.append(p)
# some traffic first, so buffers have been used once
time.sleep(2)
for p in socks[1::2]:
    p.send_multipart([b"idle", b"\x80" * 3000])
time.sleep(3)
print("READY", flush=True)
sys.stdin.read()
