# A Python Banyan-style component (pyzmq + msgpack) for the NATS bridge's
# joining test: it publishes to and subscribes from one backplane.
#   site.py NAME PUB_PORT SUB_PORT
# It says READY once its own "hello/NAME" came back through the backplane
# (both sockets are connected and subscribed); then "SEND N" publishes
# {"from": NAME, "n": i} on "chat" for i < N, and every "chat" message
# received is printed as "GOT FROM N".
import sys, select, zmq, msgpack

name, pub_port, sub_port = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.connect("tcp://127.0.0.1:" + pub_port)
sub = ctx.socket(zmq.SUB)
sub.connect("tcp://127.0.0.1:" + sub_port)
sub.setsockopt(zmq.SUBSCRIBE, b"chat")
sub.setsockopt(zmq.SUBSCRIBE, b"hello/" + name.encode())
hello = ("hello/" + name).encode()
ready = False
poller = zmq.Poller()
poller.register(sub, zmq.POLLIN)
while True:
    if not ready:
        pub.send_multipart([hello, msgpack.packb(1)])
    for s, _ in poller.poll(50):
        topic, payload = sub.recv_multipart()
        if topic == hello:
            if not ready:
                ready = True
                print("READY", flush=True)
        elif topic == b"chat":
            m = msgpack.unpackb(payload, raw=False)
            print("GOT", m["from"], m["n"], flush=True)
    if ready and select.select([sys.stdin], [], [], 0)[0]:
        line = sys.stdin.readline()
        if not line:
            break
        if line.startswith("SEND"):
            for i in range(int(line.split()[1])):
                pub.send_multipart([b"chat", msgpack.packb({"from": name, "n": i})])
