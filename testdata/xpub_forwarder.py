"""A libzmq forwarder that reports every subscription change it receives.

    xpub_forwarder.py IN_PORT OUT_PORT

SUB bound on IN_PORT (subscribed to everything) forwards to an XPUB bound on
OUT_PORT, like Python Banyan's backplane but with XPUB_VERBOSER, so each
subscribe and unsubscribe message from a subscriber reaches us. It prints
"SUB <topic hex>" or "UNSUB <topic hex>" for each, and "MSG <topic hex>"
for each forwarded message. It exits when stdin closes.
"""
import os
import sys
import threading

import zmq


def main():
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.bind("tcp://127.0.0.1:%s" % sys.argv[1])
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    xpub = ctx.socket(zmq.XPUB)
    xpub.setsockopt(zmq.XPUB_VERBOSER, 1)
    xpub.bind("tcp://127.0.0.1:%s" % sys.argv[2])
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    print("READY", flush=True)
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    poller.register(xpub, zmq.POLLIN)
    while True:
        for s, _ in poller.poll():
            frames = s.recv_multipart()
            if s is xpub:
                ev = frames[0]
                kind = "SUB" if ev[:1] == b"\x01" else "UNSUB"
                print(kind, ev[1:].hex(), flush=True)
            else:
                print("MSG", frames[0].hex(), flush=True)
                xpub.send_multipart(frames)


main()
