"""A stand-in for tgw's Pico W echo device, in CPython.

It speaks the framing of tgw's MicroPython scripts: a TCP server on a port
that reads one length byte, then that many bytes of msgpack, prints what it
decoded, and answers {'from pico_data': n} framed the same way
(len(x).to_bytes(1, 'big') + x). It serves one connection, then the next.

Lines on stdout: "PORT <n>" once listening, "GOT <json>" per frame,
"CLOSED" when a connection ends. Closing stdin ends the script.
"""
import json
import os
import socket
import sys
import threading

import msgpack


def watch_stdin():
    sys.stdin.read()
    os._exit(0)


def recv_exactly(conn, n):
    data = b''
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    threading.Thread(target=watch_stdin, daemon=True).start()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(('127.0.0.1', 0))
    srv.listen(1)
    print('PORT', srv.getsockname()[1], flush=True)
    n = 0
    while True:
        conn, _ = srv.accept()
        while True:
            size = recv_exactly(conn, 1)
            if size is None:
                break
            body = recv_exactly(conn, size[0])
            if body is None:
                break
            value = msgpack.unpackb(body, raw=False)
            print('GOT', json.dumps(value, sort_keys=True), flush=True)
            n += 1
            reply = msgpack.packb({'from pico_data': n}, use_bin_type=True)
            conn.sendall(len(reply).to_bytes(1, 'big') + reply)
        conn.close()
        print('CLOSED', flush=True)


main()
