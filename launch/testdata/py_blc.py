"""A stand-in for Python Banyan's blc (launch client), written from the wire
description (launch record on <topic>, ack on the record's reply_topic with
command_string, process_id, launch_id; stop on killall). It does not run the
command: it acks with process_id 4242.

usage: py_blc.py HOST PUBPORT SUBPORT TOPIC
Prints: READY, then RECORD <json of key -> python type name> for the first
record, then KILLALL <json payload> and exits.
"""
import json
import sys
import time

import msgpack
import zmq

host, pub_port, sub_port, topic = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.connect("tcp://%s:%s" % (host, pub_port))
sub = ctx.socket(zmq.SUB)
sub.connect("tcp://%s:%s" % (host, sub_port))
sub.setsockopt_string(zmq.SUBSCRIBE, topic)
sub.setsockopt_string(zmq.SUBSCRIBE, "killall")
time.sleep(0.3)
print("READY", flush=True)
printed = False
while True:
    t, payload = sub.recv_multipart()
    t = t.decode()
    msg = msgpack.unpackb(payload, raw=False)
    if t == "killall":
        print("KILLALL " + json.dumps(msg, sort_keys=True), flush=True)
        break
    if t != topic:
        continue
    if not printed:
        types = {k: type(v).__name__ for k, v in msg.items()}
        print("RECORD " + json.dumps({"types": types, "record": msg}, sort_keys=True), flush=True)
        printed = True
    ack = {"command_string": msg["command_string"], "process_id": 4242, "launch_id": msg["launch_id"]}
    pub.send_multipart([msg["reply_topic"].encode(), msgpack.packb(ack, use_bin_type=True)])
pub.close(linger=1000)
sub.close()
ctx.term()
