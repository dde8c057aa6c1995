"""A Python Banyan component in miniature, for the multi-backplane tests:
pyzmq PUB and SUB connected to one backplane, two frames per message,
msgpack.packb(use_bin_type=True) / unpackb(raw=False), as BanyanBase does.

usage: py_component.py HOST PUB_PORT SUB_PORT TOPIC[,TOPIC...]

It subscribes to the given topics and to "py_ctl", then prints "READY".
Until the first message arrives it publishes "py_hello" ({}) every 20 ms, so
the Go side can tell that its publisher is connected; a message on py_ctl is
how the Go side proves the subscriber is.

Every message received is printed as "RECV <topic> <payload as JSON>" (bytes
as hex strings; keys sorted); one on "notice" is also announced as
"Notification Received!", as Python's notifier does.
Commands on stdin, one per line:
  PUB <topic> <JSON payload>    publish the payload on the topic
End of stdin: exit.
"""
import json
import os
import sys

import msgpack
import zmq


def as_json(v):
    return json.dumps(v, sort_keys=True, ensure_ascii=False,
                      default=lambda o: o.hex() if isinstance(o, (bytes, bytearray)) else repr(o))


def main():
    host, pub_port, sub_port, topics = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.connect("tcp://%s:%s" % (host, pub_port))
    sub = ctx.socket(zmq.SUB)
    sub.connect("tcp://%s:%s" % (host, sub_port))
    for t in topics.split(","):
        if t:
            sub.setsockopt(zmq.SUBSCRIBE, t.encode())
    sub.setsockopt(zmq.SUBSCRIBE, b"py_ctl")
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    stdin = sys.stdin.fileno()
    poller.register(stdin, zmq.POLLIN)
    buf = b""
    print("READY", flush=True)
    hello = True
    while True:
        events = dict(poller.poll(20))
        if not events:
            if hello:
                pub.send_multipart([b"py_hello", msgpack.packb({}, use_bin_type=True)])
            continue
        if sub in events:
            hello = False
            data = sub.recv_multipart()
            topic = data[0].decode()
            payload = msgpack.unpackb(data[1], raw=False)
            print("RECV %s %s" % (topic, as_json(payload)), flush=True)
            if topic == "notice":
                print("Notification Received!", flush=True)
        if stdin in events or sys.stdin in events:
            # os.read, not readline: a line left in Python's buffer would
            # not wake the poller.
            chunk = os.read(stdin, 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                cmd, _, rest = line.decode().strip().partition(" ")
                if cmd == "PUB":
                    topic, _, body = rest.partition(" ")
                    pub.send_multipart([topic.encode(), msgpack.packb(json.loads(body), use_bin_type=True)])
                elif cmd:
                    print("BAD command %r" % line, flush=True)
    pub.close(linger=0)
    sub.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
