"""A Python Banyan component in miniature, written as BanyanBase does it
(pyzmq PUB and SUB connected to the backplane, two frames, packb with
use_bin_type=True, unpackb with raw=False), for the Go interop tests.

usage: banyan_peer.py HOST PUB_PORT SUB_PORT

It subscribes to "to_py/" and "cmd_py". For "to_py/<i>" it unpacks the
payload, compares it with VALUES[i] and with packb(VALUES[i]) byte for byte,
and prints "OK <i>" or "BAD <i> <why>". For "cmd_py" {"cmd": "send"} it
publishes every VALUES[i] on "py_value/<i>", then "py_done".
While waiting for the first command it publishes "py_hello" every 20 ms so
the Go side knows its connections are up.
"""
import math
import sys
import time

import msgpack
import zmq


def values():
    v = [
        "", "a" * 31, "b" * 32, "c" * 255, "d" * 256, "e" * 65535, "f" * 65536,
        0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1,
        -1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, -2**63,
        0.0, -0.0, 1.5, -2.25, 1e300, 5e-324, float("inf"), float("-inf"), float("nan"),
        b"", b"\x00" * 255, b"\x01" * 256, b"\x02" * 65535, b"\x03" * 65536,
        True, False, None,
        "漢字テスト", "emoji 😀🎉", "nul\x00inside", "mixed é ß 中 🙂",
        [], [1, "two", 3.0, None, [b"x", {"k": "v"}]],
        {}, {"a": 1, "b": {"c": [1, 2, {"d": None}]}, "message_number": 10},
        {"bin": b"\xff\x00", "list": [True, False], "str": "s"},
        {"big": "x" * (1 << 20)},
    ]
    return v


VALUES = values()


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a):
            return math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    return a == b


def main():
    host, pub_port, sub_port = sys.argv[1], sys.argv[2], sys.argv[3]
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.SNDHWM, 0)
    pub.connect("tcp://%s:%s" % (host, pub_port))
    sub = ctx.socket(zmq.SUB)
    sub.connect("tcp://%s:%s" % (host, sub_port))
    sub.setsockopt(zmq.SUBSCRIBE, b"to_py/")
    sub.setsockopt(zmq.SUBSCRIBE, b"cmd_py")
    print("READY", flush=True)
    started = False
    while True:
        if not sub.poll(20):
            if not started:
                pub.send_multipart([b"py_hello", msgpack.packb({}, use_bin_type=True)])
            continue
        started = True
        data = sub.recv_multipart()
        topic = data[0].decode()
        if topic == "cmd_py":
            cmd = msgpack.unpackb(data[1], raw=False)
            if cmd.get("cmd") == "exit":
                break
            for i, v in enumerate(VALUES):
                pub.send_multipart([("py_value/%d" % i).encode(), msgpack.packb(v, use_bin_type=True)])
            pub.send_multipart([b"py_done", msgpack.packb(len(VALUES), use_bin_type=True)])
            continue
        i = int(topic.split("/")[1])
        try:
            got = msgpack.unpackb(data[1], raw=False)
        except Exception as e:
            print("BAD %d unpack: %r" % (i, e), flush=True)
            continue
        want = msgpack.packb(VALUES[i], use_bin_type=True)
        if not same(got, VALUES[i]):
            print("BAD %d value differs: %r" % (i, repr(got)[:200]), flush=True)
        elif data[1] != want:
            print("BAD %d bytes differ: %s vs %s" % (i, data[1][:40].hex(), want[:40].hex()), flush=True)
        else:
            print("OK %d" % i, flush=True)
    pub.close(linger=0)
    sub.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
