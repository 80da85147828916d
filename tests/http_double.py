#!/usr/bin/env python3
"""Local HTTP and TLS test servers with scripted misbehaviour.

    python3 tests/http_double.py [--certs DIR]

Starts a plain HTTP server and, with --certs (a directory made by
gen_certs.sh), one TLS server per certificate.  Prints one line per server,
"NAME PORT", then "ready", and serves until stdin closes or it is killed.
All servers bind 127.0.0.1 only.

The request path picks the behaviour (see ROUTES); every connection is
counted, so a test can tell a reused connection from a new one (/count).
"""
import os
import socket
import ssl
import sys
import threading
import time

lock = threading.Lock()
connections = {}  # server name -> connections accepted


def read_request(sock, buf):
    """Read one request: (method, path, headers dict, body, rest) or None on EOF."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        data = sock.recv(65536)
        if not data:
            return None
        rest += data
    return method, path, headers, head + b"\r\n\r\n" + rest[:n], rest[n:]


def reply(sock, body, status="200 OK", extra=""):
    if isinstance(body, str):
        body = body.encode()
    sock.sendall(("HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n%s\r\n"
                  % (status, len(body), extra)).encode() + body)


def r_ok(sock, ctx):
    reply(sock, "hello")
    return True


def r_count(sock, ctx):
    with lock:
        n = connections[ctx["server"]]
    reply(sock, "conns=%d req=%d" % (n, ctx["req"]))
    return True


def r_echo(sock, ctx):
    reply(sock, ctx["raw"])
    return True


def r_chunked(sock, ctx):
    # Odd sizes, an extension, upper-case hex and a trailer; split across writes.
    parts = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n",
             b"1\r\n{\r\n", b"3;ext=1\r\n\"a\"\r\n", b"1C\r\n", b":\"abcdefghijklmnopqrstuvw", b"x\"}\r\n",
             b"0\r\nX-Trailer: yes\r\n\r\n"]
    for p in parts:
        sock.sendall(p)
        time.sleep(0.01)
    return True


def r_split(sock, ctx):
    # Headers, then the body in a write of its own a little later (http.server's way): two reads.
    body = b'{"ok":true,"result":{"message_id":7}}'
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
    time.sleep(0.02)
    sock.sendall(body)
    return True


def r_close(sock, ctx):
    reply(sock, "bye", extra="Connection: close\r\n")
    return False


def r_eof(sock, ctx):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
    if isinstance(sock, ssl.SSLSocket):
        try:
            sock.unwrap()  # close_notify: a clean end over TLS
        except OSError:
            pass
    return False


def r_stall(sock, ctx):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-")
    time.sleep(30)
    return False


def r_truncated(sock, ctx):
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..")
    return False


def r_reset(sock, ctx):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    return False


def r_garbage(sock, ctx):
    sock.sendall(b"HTZP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    return False


def r_bighdr(sock, ctx):
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"a" * 100 + b"\r\n" * 1
                 + b"".join(b"X-Pad-%d: %s\r\n" % (i, b"b" * 200) for i in range(100)) + b"\r\n")
    return False


def r_bigbody(sock, ctx):
    body = b"z" * 300000
    reply(sock, body)
    return True


def r_slow(sock, ctx):
    time.sleep(1.5)
    reply(sock, "slow")
    return True


def r_continue(sock, ctx):
    sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    reply(sock, "after continue")
    return True


def r_session(sock, ctx):
    reused = getattr(sock, "session_reused", False)
    reply(sock, "reused=%d" % (1 if reused else 0))
    return True


def r_getme(sock, ctx):
    body = '{"ok":true,"result":{"id":1,"is_bot":true,"username":"examflow_test_bot"}}'
    reply(sock, body)
    return True


ROUTES = {
    "/ok": r_ok, "/count": r_count, "/echo": r_echo, "/chunked": r_chunked, "/split": r_split, "/close": r_close,
    "/eof": r_eof, "/stall": r_stall, "/truncated": r_truncated, "/reset": r_reset,
    "/garbage": r_garbage, "/bighdr": r_bighdr, "/bigbody": r_bigbody, "/slow": r_slow,
    "/continue": r_continue, "/session": r_session, "/getMe": r_getme,
}


def route(path):
    # By the last path component, so "/bot<token>/getMe" and "/x/stall" work.
    return ROUTES.get("/" + path.split("?")[0].rsplit("/", 1)[-1])


def serve_conn(sock, name, tls_ctx):
    try:
        if tls_ctx:
            sock = tls_ctx.wrap_socket(sock, server_side=True)
        buf, req = b"", 0
        while True:
            r = read_request(sock, buf)
            if r is None:
                if isinstance(sock, ssl.SSLSocket):
                    sock.unwrap()  # our close_notify too, so OpenSSL keeps the session
                break
            method, path, headers, raw, buf = r
            req += 1
            fn = route(path)
            if fn is None:
                reply(sock, "no such path", status="404 Not Found")
                continue
            if not fn(sock, {"server": name, "req": req, "raw": raw}):
                break
    except (OSError, ssl.SSLError, ValueError):
        pass  # a client that refused our certificate, or went away
    finally:
        try:
            sock.close()
        except OSError:
            pass


def listen(name, tls_ctx):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    connections[name] = 0

    def loop():
        while True:
            s, _ = ls.accept()
            with lock:
                connections[name] += 1
            threading.Thread(target=serve_conn, args=(s, name, tls_ctx), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]


def tls_context(certs, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certs, cert), os.path.join(certs, key))
    return ctx


def main():
    certs = None
    if "--certs" in sys.argv:
        certs = sys.argv[sys.argv.index("--certs") + 1]
    servers = [("plain", None)]
    if certs:
        for name, cert, key in [("good", "good.pem", "good.key"), ("expired", "expired.pem", "expired.key"),
                                ("wronghost", "wronghost.pem", "wronghost.key"), ("self", "self.pem", "self.key"),
                                ("untrusted", "untrusted.pem", "untrusted.key"),
                                ("nointer", "leafi.pem", "leafi.key"), ("chain", "leafi-chain.pem", "leafi.key")]:
            servers.append((name, tls_context(certs, cert, key)))
    for name, ctx in servers:
        print(name, listen(name, ctx), flush=True)
    print("ready", flush=True)
    try:
        sys.stdin.read()  # the test closes our stdin (or dies) when done
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
