"""Python Banyan's backplane as a benchmark reference: zmq.device(FORWARDER)
with SUB('') bound on IN_PORT and PUB bound on OUT_PORT, high-water marks 0
(lossless) unless HWM is given.

usage: /usr/bin/python3 bench/pyforwarder.py IN_PORT OUT_PORT [HWM]
"""
import sys

import zmq

ctx = zmq.Context()
hwm = int(sys.argv[3]) if len(sys.argv) > 3 else 0
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.RCVHWM, hwm)
sub.bind("tcp://127.0.0.1:%s" % sys.argv[1])
sub.setsockopt(zmq.SUBSCRIBE, b"")
pub = ctx.socket(zmq.PUB)
pub.setsockopt(zmq.SNDHWM, hwm)
pub.bind("tcp://127.0.0.1:%s" % sys.argv[2])
try:
    zmq.device(zmq.FORWARDER, sub, pub)
except KeyboardInterrupt:
    pass
