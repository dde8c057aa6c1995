"""A OneGPIO client written as Python Banyan applications are (pyzmq PUB and
SUB connected to the backplane, two frames, msgpack packb/unpackb), for the
Go gateway's interop test.

usage: onegpio_client.py HOST PUB_PORT SUB_PORT DEVICE

Prints one line per step; the Go test reads them:
  INPUT <pin> <value> <timestamp type>   a digital_input report
  I2C <values as JSON>                   an i2c_data report
  ERROR <code> <command>                 an error report
  DONE                                   then it waits for stdin to close
"""
import json
import sys
import time

import msgpack
import zmq


def main():
    host, pub_port, sub_port, device = sys.argv[1:5]
    to_gw, from_gw = "to_%s_gateway" % device, "from_%s_gateway" % device
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.connect("tcp://%s:%s" % (host, pub_port))
    sub = ctx.socket(zmq.SUB)
    sub.connect("tcp://%s:%s" % (host, sub_port))
    sub.setsockopt_string(zmq.SUBSCRIBE, from_gw)

    def send(payload):
        pub.send_multipart([to_gw.encode(), msgpack.packb(payload, use_bin_type=True)])

    def receive(timeout_ms):
        if not sub.poll(timeout_ms):
            return None
        topic, payload = sub.recv_multipart()
        assert topic.decode() == from_gw, topic
        return msgpack.unpackb(payload, raw=False)

    # Slow joiner: repeat the set-mode command until its report comes back.
    report = None
    deadline = time.time() + 20
    while report is None and time.time() < deadline:
        send({"command": "set_mode_digital_input", "pin": 2, "tag": "button"})
        report = receive(100)
    while report["report"] != "digital_input":
        report = receive(5000)
    print("INPUT", report["pin"], report["value"], type(report["timestamp"]).__name__, flush=True)
    # Drain the reports of repeated set-mode commands.
    while receive(300) is not None:
        pass

    # The blinker pattern: pin with the mode, then the tag alone; a bool value.
    send({"command": "set_mode_digital_output", "pin": 13, "tag": "blinker"})
    send({"command": "digital_write", "tag": "blinker", "value": True})

    send({"command": "set_mode_i2c"})
    send({"command": "i2c_read", "addr": 0x50, "register": 5, "number_of_bytes": 2, "tag": None})
    report = receive(10000)
    print("I2C", json.dumps(report["value"]), flush=True)

    # Python's own gateway would die on this one.
    send({"pin": 3, "value": 1})
    report = receive(10000)
    print("ERROR", report["code"], report.get("command", "-"), flush=True)

    # The HTML pages' misspelling.
    send({"command": "endable_analog_reporting", "pin": 0})
    report = receive(10000)
    print("ERROR", report["code"], report.get("command", "-"), flush=True)

    print("DONE", flush=True)
    # Now the Go side presses the button.
    report = receive(20000)
    print("INPUT", report["pin"], report["value"], type(report["timestamp"]).__name__, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
