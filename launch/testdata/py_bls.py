"""A stand-in for Python Banyan's bls (launch server) and blk, written from
the wire description: it publishes an unsigned launch record with the ten
keys bls sends until an ack arrives on ACK<topic>, then sends killall
{'exit': 'exit'} as blk does.

usage: py_bls.py HOST PUBPORT SUBPORT TOPIC COMMAND [WAITFILE]
Prints: ACK <json of the ack and its key -> python type name>, then DONE.
With WAITFILE, killall is sent only once that file holds a whole line (the
command has started and written it), so that killall cannot overtake it.
"""
import os
import json
import sys
import time

import msgpack
import zmq

host, pub_port, sub_port, topic, command = sys.argv[1:6]
wait_file = sys.argv[6] if len(sys.argv) > 6 else None
ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.connect("tcp://%s:%s" % (host, pub_port))
sub = ctx.socket(zmq.SUB)
sub.connect("tcp://%s:%s" % (host, sub_port))
sub.setsockopt_string(zmq.SUBSCRIBE, "ACK" + topic)
time.sleep(0.3)
record = {"append_bp_address": "no", "auto_restart": "no", "command_string": command,
          "process": None, "process_id": None, "spawn": "no", "topic": topic,
          "reply_topic": "ACK" + topic, "launch_id": 1, "wait": "0"}
poller = zmq.Poller()
poller.register(sub, zmq.POLLIN)
deadline = time.time() + 60
ack = None
while ack is None and time.time() < deadline:
    pub.send_multipart([topic.encode(), msgpack.packb(record, use_bin_type=True)])
    if poller.poll(500):
        t, payload = sub.recv_multipart()
        ack = msgpack.unpackb(payload, raw=False)
if ack is None:
    print("NOACK", flush=True)
    sys.exit(1)
types = {k: type(v).__name__ for k, v in ack.items()}
print("ACK " + json.dumps({"ack": ack, "types": types}, sort_keys=True), flush=True)
if wait_file:
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(wait_file):
            with open(wait_file) as f:
                if f.read().endswith("\n"):
                    break
        time.sleep(0.01)
    else:
        print("NOFILE", flush=True)
        sys.exit(1)
pub.send_multipart([b"killall", msgpack.packb({"exit": "exit"}, use_bin_type=True)])
time.sleep(0.5)
print("DONE", flush=True)
pub.close(linger=1000)
sub.close()
ctx.term()
