"""A monitor written as Python Banyan's monitor is (a BanyanBase subscribed
to ''): pyzmq, a SUB connected to the backplane's subscriber port,
unpackb(raw=False). Instead of print(topic, payload) it prints one JSON line
per message, {"topic": ..., "payload": ...}, or {"topic": ..., "error": ...}
when the payload does not decode.

usage: monitor.py HOST PUB_PORT SUB_PORT
Prints "READY" once the socket is connecting; exits when stdin closes.
"""
import json
import sys
import threading
import os

import msgpack
import zmq


def main():
    host, _pub_port, sub_port = sys.argv[1:4]
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.connect("tcp://%s:%s" % (host, sub_port))
    sub.setsockopt(zmq.SUBSCRIBE, b"")

    def exit_on_eof():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_on_eof, daemon=True).start()
    print("READY", flush=True)
    while True:
        data = sub.recv_multipart()
        topic = data[0].decode("utf-8", "replace")
        try:
            line = {"topic": topic, "payload": msgpack.unpackb(data[1], raw=False)}
            text = json.dumps(line, default=repr)
        except Exception as e:  # noqa: BLE001 - every message must show
            text = json.dumps({"topic": topic, "error": repr(e), "hex": data[1].hex() if len(data) > 1 else ""})
        print(text, flush=True)


if __name__ == "__main__":
    main()
