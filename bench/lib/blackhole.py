#!/usr/bin/env python3
"""Registered devices that never answer: reads every SIP datagram sent to the given UDP ports and drops it. On
SIGTERM writes how many requests of each method it dropped, per port, to --out (JSON)."""
import argparse
import json
import selectors
import signal
import socket


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--ports", type=int, nargs="+", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    selector = selectors.DefaultSelector()
    for port in args.ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((args.host, port))
        selector.register(s, selectors.EVENT_READ, port)
    dropped, stop = {}, []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        for key, _ in selector.select(timeout=0.5):
            data = key.fileobj.recv(65535)
            method = data.split(b" ", 1)[0].decode("ascii", "replace")
            name = "%s at :%d" % (method, key.data)
            dropped[name] = dropped.get(name, 0) + 1
    json.dump(dropped, open(args.out, "w"), indent=2)


if __name__ == "__main__":
    main()
