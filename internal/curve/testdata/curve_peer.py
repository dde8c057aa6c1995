"""A libzmq (pyzmq) CURVE peer for the Go curve interop tests.

Keys are Z85 strings. Every role prints READY once its socket is set up,
"EVENT <name> <value>" for each handshake event of its socket's monitor,
and exits when stdin closes. The monitor thread and the main thread both
print, so every line goes out through say(): one write under one lock (two
print() calls can interleave, text and newline being separate writes).

Roles:
  pub-server SECRET PORT               PUB bound with curve_server, sends
                                       [b"weather", b"sunny"] every 20 ms
  sub-server SECRET PORT PREFIX        SUB bound with curve_server and
                                       subscribed to PREFIX; prints
                                       "MSG <frame hexes>" per message
  sub-client SERVER PUBLIC SECRET PORT PREFIX
                                       SUB connected with curve_serverkey,
                                       curve_publickey, curve_secretkey;
                                       prints MSG lines as sub-server does
"""
import os
import sys
import threading
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

EVENTS = {
    zmq.EVENT_HANDSHAKE_SUCCEEDED: "HANDSHAKE_SUCCEEDED",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "HANDSHAKE_FAILED_AUTH",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "HANDSHAKE_FAILED_PROTOCOL",
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "HANDSHAKE_FAILED_NO_DETAIL",
}


_out = threading.Lock()


def say(line):
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def monitor(sock):
    mon = sock.get_monitor_socket()

    def run():
        while True:
            try:
                ev = recv_monitor_message(mon)
            except zmq.ZMQError:
                return
            name = EVENTS.get(ev["event"])
            if name:
                say("EVENT %s %s" % (name, ev["value"]))

    threading.Thread(target=run, daemon=True).start()


def main():
    role = sys.argv[1]
    ctx = zmq.Context()
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    if role == "pub-server":
        s = ctx.socket(zmq.PUB)
        s.curve_server = True
        s.curve_secretkey = sys.argv[2].encode()
    elif role == "sub-server":
        s = ctx.socket(zmq.SUB)
        s.curve_server = True
        s.curve_secretkey = sys.argv[2].encode()
        s.setsockopt(zmq.SUBSCRIBE, sys.argv[4].encode())
    elif role == "sub-client":
        s = ctx.socket(zmq.SUB)
        s.curve_serverkey = sys.argv[2].encode()
        s.curve_publickey = sys.argv[3].encode()
        s.curve_secretkey = sys.argv[4].encode()
        s.setsockopt(zmq.SUBSCRIBE, sys.argv[6].encode())
    else:
        sys.exit("unknown role " + role)
    s.setsockopt(zmq.LINGER, 0)
    monitor(s)
    endpoint = "tcp://127.0.0.1:%s" % (sys.argv[5] if role == "sub-client" else sys.argv[3])
    if role == "sub-client":
        s.connect(endpoint)
    else:
        s.bind(endpoint)
    say("READY")
    if role == "pub-server":
        while True:
            s.send_multipart([b"weather", b"sunny"])
            time.sleep(0.02)
    while True:
        frames = s.recv_multipart()
        say("MSG " + " ".join(f.hex() for f in frames))


main()
