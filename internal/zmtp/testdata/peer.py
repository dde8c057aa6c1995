"""A libzmq (pyzmq) peer for the Go ZMTP interop tests.

Roles:
  pub ENDPOINT bind|connect        send SYNC until a line on stdin, then the
                                   test topics (ABC ABD XYZ A five times,
                                   then ABL ABM XYZL of odd shapes), then
                                   END; exit on stdin EOF
  sub ENDPOINT bind|connect PREFIX  print "MSG <topic hex> <frame hexes>" per
                                   message; exit on stdin EOF
  fwd IN_PORT OUT_PORT             zmq.device(FORWARDER, SUB(''), PUB), as
                                   Python Banyan's backplane does

CURVE (pub and sub roles), from the environment, keys in Z85:
  CURVE_SERVER_SECRET              be the CURVE server with this secret key
  CURVE_SERVERKEY CURVE_PUBLIC CURVE_SECRET
                                   be a CURVE client of that server key
  BIG=1                            pub: also send ABB with a 100 KiB frame
"""
import os
import sys
import threading
import time

import msgpack
import zmq


def stdin_closed(ev):
    sys.stdin.read()
    ev.set()


def curve(s):
    env = os.environ
    if env.get("CURVE_SERVER_SECRET"):
        s.curve_secretkey = env["CURVE_SERVER_SECRET"].encode()
        s.curve_server = True
    elif env.get("CURVE_SERVERKEY"):
        s.curve_serverkey = env["CURVE_SERVERKEY"].encode()
        s.curve_publickey = env["CURVE_PUBLIC"].encode()
        s.curve_secretkey = env["CURVE_SECRET"].encode()
    return s


def main():
    role = sys.argv[1]
    ctx = zmq.Context()
    if role == "fwd":
        sub = ctx.socket(zmq.SUB)
        sub.bind("tcp://127.0.0.1:%s" % sys.argv[2])
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        pub = ctx.socket(zmq.PUB)
        pub.bind("tcp://127.0.0.1:%s" % sys.argv[3])
        print("READY", flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        zmq.device(zmq.FORWARDER, sub, pub)
        return
    endpoint, mode = sys.argv[2], sys.argv[3]
    if role == "pub":
        s = curve(ctx.socket(zmq.PUB))
        s.setsockopt(zmq.LINGER, 2000)
        (s.bind if mode == "bind" else s.connect)(endpoint)
        go = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.readline(), go.set()), daemon=True).start()
        print("READY", flush=True)
        while not go.is_set():
            s.send_multipart([b"SYNC", msgpack.packb({"sync": True}, use_bin_type=True)])
            time.sleep(0.02)
        n = 0
        for _ in range(5):
            for topic in (b"ABC", b"ABD", b"XYZ", b"A"):
                s.send_multipart([topic, msgpack.packb({"n": n}, use_bin_type=True)])
                n += 1
        # Odd shapes: a long frame (over 255 bytes), empty frames, more
        # than two frames, and a long one no subscription matches.
        s.send_multipart([b"ABL", b"L" * 300])
        s.send_multipart([b"ABM", b"", b"xyz", b""])
        s.send_multipart([b"XYZL", b"L" * 300])
        if os.environ.get("BIG") == "1":
            s.send_multipart([b"ABB", bytes(range(256)) * 400])
        s.send_multipart([b"END", msgpack.packb({"n": n}, use_bin_type=True)])
        print("SENT %d" % n, flush=True)
        sys.stdin.read()
        s.close()
        ctx.term()
        return
    if role == "sub":
        s = curve(ctx.socket(zmq.SUB))
        (s.bind if mode == "bind" else s.connect)(endpoint)
        for p in sys.argv[4:]:
            s.setsockopt(zmq.SUBSCRIBE, p.encode() if p != "-" else b"")
        done = threading.Event()
        threading.Thread(target=stdin_closed, args=(done,), daemon=True).start()
        print("READY", flush=True)
        while not done.is_set():
            if s.poll(50):
                frames = s.recv_multipart()
                print("MSG " + " ".join(f.hex() or "-" for f in frames), flush=True)
        s.close(linger=0)
        ctx.term()
        return
    raise SystemExit("unknown role " + role)


if __name__ == "__main__":
    main()
