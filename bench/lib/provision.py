#!/usr/bin/env python3
"""Provisions bench tenants over cloudpark's admin API, in parallel (one keep-alive connection per worker).

Tenants are t0001.bench.test … tNNNN.bench.test; each gets the extensions --first..--last (password --sip-password)
and the settings given as JSON. With --domain, that one tenant instead; --park-group puts its extensions from --group-first on
in one park group (the fan-out step). Prints how long it took; exits non-zero on the first unexpected status.
"""
import argparse
import base64
import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def tenant_domain(i):
    return "t%04d.bench.test" % i


class Admin:
    """One HTTP/1.1 connection per thread: 20,000 requests over fresh connections would mostly measure TCP setup."""

    def __init__(self, host, port, password):
        self.host, self.port = host, port
        self.auth = "Basic " + base64.b64encode(("admin:" + password).encode()).decode()
        self.local = threading.local()

    def request(self, method, path, body, expected):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request(method, path, json.dumps(body),
                     {"Authorization": self.auth, "Content-Type": "application/json"})
        response = conn.getresponse()
        text = response.read().decode()
        if response.status not in expected:
            raise RuntimeError("%s %s -> %d %s" % (method, path, response.status, text))


def provision_tenant(admin, i, args, settings):
    domain = args.domain or tenant_domain(i)
    admin.request("POST", "/api/tenants", {"domain": domain, "name": "Bench tenant %d" % i}, (201,))
    for ext in range(args.first, args.last + 1):
        admin.request("PUT", "/api/tenants/%s/extensions/%d" % (domain, ext),
                      {"password": args.sip_password, "displayName": "Ext %d" % ext}, (201,))
    # after the extensions: settings may name them (recallGroup, recallFallback)
    admin.request("PUT", "/api/tenants/%s/settings" % domain, settings, (200,))
    if args.park_group:
        admin.request("POST", "/api/tenants/%s/park-groups" % domain,
                      {"name": args.park_group,
                       "members": [str(e) for e in range(args.group_first or args.first, args.last + 1)]}, (201,))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--admin-password", required=True)
    p.add_argument("--tenants", type=int, required=True)
    p.add_argument("--first-tenant", type=int, default=1, help="number of the first tenant (t0001…)")
    p.add_argument("--first", type=int, default=101)
    p.add_argument("--last", type=int, default=120)
    p.add_argument("--sip-password", required=True)
    p.add_argument("--settings", default="{}", help="JSON for PUT /settings")
    p.add_argument("--workers", type=int, default=6)
    p.add_argument("--domain", help="provision this one tenant (--tenants 1) instead of tNNNN.bench.test")
    p.add_argument("--park-group", help="name of a park group of the extensions --group-first..--last")
    p.add_argument("--group-first", type=int)
    args = p.parse_args()
    if args.host != "127.0.0.1":
        sys.exit("the benchmark talks to 127.0.0.1 only")
    settings = json.loads(args.settings)
    admin = Admin(args.host, args.port, args.admin_password)
    started = time.monotonic()
    with ThreadPoolExecutor(args.workers) as pool:
        for future in [pool.submit(provision_tenant, admin, i, args, settings) for i in range(args.first_tenant, args.first_tenant + args.tenants)]:
            future.result()
    requests = args.tenants * (2 + args.last - args.first + 1)
    elapsed = time.monotonic() - started
    print("provisioned %d tenants x %d extensions: %d requests in %.1f s" % (
        args.tenants, args.last - args.first + 1, requests, elapsed))


if __name__ == "__main__":
    main()
