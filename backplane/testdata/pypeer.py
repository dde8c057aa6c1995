"""pyzmq peers for the backplane tests (Python Banyan components in miniature).

  pub HOST PORT            publish lines read from stdin: "TOPIC N [SIZE]" sends N
                           messages [TOPIC, packb({"n": i, "pad": SIZE bytes})]; "SYNC" sends one
                           SYNC message; prints "SENT" after each line
  sub HOST PORT PREFIX..   print "MSG <topic> <n>" per message ("-" = all)
  stall HOST PORT          a SUB subscribed to everything that never reads
"""
import sys
import threading
import time

import msgpack
import zmq


def main():
    role, host, port = sys.argv[1], sys.argv[2], sys.argv[3]
    ctx = zmq.Context()
    ep = "tcp://%s:%s" % (host, port)
    if role == "pub":
        s = ctx.socket(zmq.PUB)
        s.connect(ep)
        print("READY", flush=True)
        for line in sys.stdin:
            parts = line.split()
            if not parts:
                continue
            topic = parts[0].encode()
            n = int(parts[1]) if len(parts) > 1 else 1
            pad = b"x" * (int(parts[2]) if len(parts) > 2 else 0)
            for i in range(n):
                s.send_multipart([topic, msgpack.packb({"n": i, "pad": pad}, use_bin_type=True)])
            print("SENT", flush=True)
        s.close(linger=1000)
    elif role == "sub":
        s = ctx.socket(zmq.SUB)
        s.connect(ep)
        for p in sys.argv[4:]:
            s.setsockopt(zmq.SUBSCRIBE, b"" if p == "-" else p.encode())
        stop = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        print("READY", flush=True)
        while not stop.is_set():
            if s.poll(50):
                topic, payload = s.recv_multipart()
                v = msgpack.unpackb(payload, raw=False)
                print("MSG %s %s" % (topic.decode(), v.get("n")), flush=True)
        s.close(linger=0)
    elif role == "stall":
        s = ctx.socket(zmq.SUB)
        s.setsockopt(zmq.RCVHWM, 1)
        s.setsockopt(zmq.RCVBUF, 4096)
        s.connect(ep)
        s.setsockopt(zmq.SUBSCRIBE, b"")
        print("READY", flush=True)
        sys.stdin.read()
        s.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
