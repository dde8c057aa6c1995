"""Python Banyan's backplane (zmq.device FORWARDER) with CURVE on both
sockets, as a libzmq reference for bench/compare-curve.sh: SUB('') bound on
IN_PORT and PUB bound on OUT_PORT, curve_server with the Z85 secret key in
$CURVE_SECRET (any client key admitted: libzmq without a ZAP handler),
high-water marks 0 (lossless).

usage: CURVE_SECRET=... /usr/bin/python3 bench/pycurveforwarder.py IN_PORT OUT_PORT
"""
import os
import sys

import zmq

ctx = zmq.Context()
secret = os.environ["CURVE_SECRET"].encode()
public = zmq.curve_public(secret)


def server(kind):
    s = ctx.socket(kind)
    s.curve_secretkey = secret
    s.curve_publickey = public
    s.curve_server = True
    s.setsockopt(zmq.SNDHWM, 0)
    s.setsockopt(zmq.RCVHWM, 0)
    return s


sub = server(zmq.SUB)
sub.bind("tcp://127.0.0.1:%s" % sys.argv[1])
sub.setsockopt(zmq.SUBSCRIBE, b"")
pub = server(zmq.PUB)
pub.bind("tcp://127.0.0.1:%s" % sys.argv[2])
try:
    zmq.device(zmq.FORWARDER, sub, pub)
except KeyboardInterrupt:
    pass
