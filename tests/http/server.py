#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTP test server for rove's box tests: serves a folder on 127.0.0.1 with Range, If-Range, ETag
and Last-Modified, redirects, and injected faults. Every request is logged as one JSON line.

    server.py --root DIR --port-file FILE --log FILE [--tls CERT KEY] [--token TOKEN]

--token makes it a box registry that wants "Authorization: Bearer TOKEN" on every request
(401 otherwise), as a private box on the public registry does. The log records each request's
Authorization and Accept headers, so tests see where a token went.

Faults are set over HTTP (each applies to one path, for a number of requests, then lapses):
    /_fault?path=/x.box&kind=drop&after=N        close the connection after N body bytes
    /_fault?path=/x.box&kind=reset&after=N       the same with a TCP reset
    /_fault?path=/x.box&kind=hang                send the headers, then nothing
    /_fault?path=/x.box&kind=status&code=500     answer with that status (add retry_after=S)
    /_fault?path=/x.box&kind=slow&rate=B         send B bytes per second
    /_fault?path=/x.box&kind=norange             ignore Range (always send the whole file)
    /_fault?path=/x.box&kind=noifrange           honour Range but ignore If-Range (send the
                                                 asked-for bytes even of a changed file)
    /_fault?path=/x.box&kind=redirect&to=URL     answer 302 to URL (code=301/307 also)
  each takes times=N (default 1; 0 means forever).
    /_clear                                      forget every fault
    /_idle                                       answer once no request is being served, so
                                                 the log holds every request a client saw end
"""
import argparse
import email.utils
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = {}
LOCK = threading.Lock()
# Requests being served. A client can see a response end before the server thread logs it;
# /_idle waits on this so a test reads a complete log.
IN_FLIGHT = 0
IDLE = threading.Condition(LOCK)
LOG = None
ROOT = None
TOKEN = None


def take_fault(path):
    with LOCK:
        rules = FAULTS.get(path)
        if not rules:
            return None
        rule = rules[0]
        if rule["times"] > 0:
            rule["times"] -= 1
            if rule["times"] == 0:
                rules.pop(0)
        return dict(rule)


def log(entry):
    with LOCK:
        with open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def control(self, url):
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        if url.path == "/_clear":
            with LOCK:
                FAULTS.clear()
        else:
            rule = dict(q)
            rule["times"] = int(q.get("times", "1"))
            with LOCK:
                FAULTS.setdefault(q["path"], []).append(rule)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self.counted(head=True)

    def do_GET(self):
        self.counted(head=False)

    def counted(self, head):
        if urllib.parse.urlsplit(self.path).path == "/_idle":
            return self.wait_idle()
        self.track(+1)
        try:
            self.serve(head)
        finally:
            self.track(-1)

    @staticmethod
    def track(delta):
        global IN_FLIGHT
        with IDLE:
            IN_FLIGHT += delta
            IDLE.notify_all()

    def wait_idle(self):
        with IDLE:
            IDLE.wait_for(lambda: IN_FLIGHT == 0, timeout=10)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def finish_log(self, status, sent, extra=None):
        entry = {"method": self.command, "path": self.path, "status": status, "sent": sent,
                 "range": self.headers.get("Range"), "if_range": self.headers.get("If-Range"),
                 "authorization": self.headers.get("Authorization"),
                 "accept": self.headers.get("Accept")}
        if extra:
            entry.update(extra)
        log(entry)

    def simple(self, code, headers=(), body=b""):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.finish_log(code, len(body))

    def serve(self, head):
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/_fault", "/_clear"):
            return self.control(url)
        if TOKEN and self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.simple(401, [("WWW-Authenticate", "Bearer")], b"token required\n")
        fault = take_fault(url.path) or {}
        kind = fault.get("kind")
        if kind == "status":
            headers = []
            if "retry_after" in fault:
                headers.append(("Retry-After", fault["retry_after"]))
            return self.simple(int(fault["code"]), headers, b"injected failure\n")
        if kind == "redirect":
            return self.simple(int(fault.get("code", "302")), [("Location", fault["to"])])
        path = os.path.realpath(os.path.join(ROOT, urllib.parse.unquote(url.path).lstrip("/")))
        if not path.startswith(os.path.realpath(ROOT) + os.sep) or not os.path.isfile(path):
            return self.simple(404, body=b"not found\n")
        st = os.stat(path)
        size = st.st_size
        etag = '"%x-%x"' % (size, st.st_mtime_ns)
        modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        range_ok = kind != "norange" and rng and rng.startswith("bytes=")
        if range_ok and if_range and if_range not in (etag, modified) and kind != "noifrange":
            range_ok = False  # the file changed: send it whole
        if range_ok:
            first, _, last = rng[6:].partition("-")
            start = int(first) if first else 0
            end = min(int(last), size - 1) if last else size - 1
            if start >= size:
                return self.simple(416, [("Content-Range", "bytes */%d" % size)])
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Accept-Ranges", "bytes" if kind != "norange" else "none")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        sent = 0 if head else self.send_body(path, start, length, fault)
        self.finish_log(status, sent, {"start": start})

    def send_body(self, path, start, length, fault):
        kind = fault.get("kind")
        limit = int(fault["after"]) if kind in ("drop", "reset") else length
        if kind == "hang":
            self.wfile.flush()
            self.track(-1)  # a hung request never ends; /_idle must not wait for it
            time.sleep(3600)
            self.track(+1)
            return 0
        rate = int(fault["rate"]) if kind == "slow" else 0
        sent = 0
        self.wfile.flush()
        with open(path, "rb") as f:
            try:
                if not rate:
                    sent = self.connection.sendfile(f, start, min(limit, length))
                else:
                    f.seek(start)
                    while sent < length:
                        chunk = f.read(min(max(rate // 10, 1), length - sent))
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        sent += len(chunk)
                        time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                return sent
        if kind == "reset":
            # An abrupt reset, as a crashed server or a broken network gives.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if kind in ("drop", "reset"):
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        return sent


def main():
    global LOG, ROOT, TOKEN
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve https")
    ap.add_argument("--token", help="answer 401 to requests without this bearer token")
    args = ap.parse_args()
    ROOT, LOG, TOKEN = args.root, args.log, args.token
    open(LOG, "a").close()  # an empty log means no requests, not a missing file
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
