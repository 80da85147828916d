"""An HTTPS release server double for the self-update tests (stdlib only).

    srv = ReleaseServer(certfile, keyfile)   # gen_certs.sh's good.pem: localhost and 127.0.0.1
    srv.start()
    srv.url                                   # "https://127.0.0.1:PORT"
    srv.put("/rel/manifest", data)            # serve these bytes at this path
    srv.redirect("/gh/latest/download/", "https://localhost:PORT/gh/download/v2/")
                                              # 302 for every path under a prefix (Location = target + rest,
                                              # or target with "{}" replaced by the rest)
    srv.behave("/rel/manifest", "stall")      # misbehave on a path until behave(path, None)
    srv.paths()                               # the paths requested, in order
    srv.stop()

Misbehaviours, each what a real static host or the way to it can do:
  "404"       Not Found (an HTML page, like GitHub's)
  "html"      200 with a text/html page (a captive portal or a login page)
  "stall"     the status line and half the headers, then nothing until
              release_stalls() or stop()
  "reset"     a TCP RST instead of an answer
  "truncate"  Content-Length of the whole file, half of the bytes, then close
  "huge"      Content-Length: 1 GiB, then a trickle (the client must refuse at the header)
  "short"     a complete answer whose body is the file without its last byte

Plain HTTP when certfile is None (for "a redirect to plain HTTP is refused").
Every connection is served by its own thread; keep-alive is honoured.
"""
import socket
import ssl
import threading

HTML_404 = (b"<!DOCTYPE html><html><head><title>Page not found</title></head>"
            b"<body><h1>404</h1><p>This is not the web page you are looking for.</p></body></html>\n")
HTML_PORTAL = (b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
               b"<body><form action=/login>Please sign in to use this network.</form></body></html>\n")


class ReleaseServer:
    def __init__(self, certfile=None, keyfile=None, host="127.0.0.1"):
        self.host = host
        self.ctx = None
        if certfile:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(certfile, keyfile)
        self.files = {}
        self.redirects = []           # [(prefix, target, status)]
        self.behaviour = {}           # path -> kind
        self._paths = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._release = threading.Event()
        self._ls = None
        self.port = 0

    # --- life cycle -----------------------------------------------------------
    def start(self):
        self._ls = socket.socket()
        self._ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._ls.bind((self.host, 0))
        self._ls.listen(64)
        self._ls.settimeout(0.2)
        self.port = self._ls.getsockname()[1]
        threading.Thread(target=self._accept_loop, daemon=True).start()
        return self

    def stop(self):
        self._stop.set()
        try:
            self._ls.close()
        except OSError:
            pass

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.ctx else "http", self.host, self.port)

    def url_for(self, host):
        return "%s://%s:%d" % ("https" if self.ctx else "http", host, self.port)

    # --- test controls ---------------------------------------------------------
    def put(self, path, data):
        with self._lock:
            self.files[path] = bytes(data)

    def redirect(self, prefix, target, status=302):
        with self._lock:
            self.redirects.append((prefix, target, status))

    def behave(self, path, kind):
        with self._lock:
            if kind is None:
                self.behaviour.pop(path, None)
            else:
                self.behaviour[path] = kind

    def release_stalls(self):
        """End the answers stalled so far (their connections close)."""
        self._release.set()
        self._release = threading.Event()

    def paths(self):
        with self._lock:
            return list(self._paths)

    # --- serving -----------------------------------------------------------------
    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                s, _ = self._ls.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(s,), daemon=True).start()

    def _serve(self, raw):
        sock = raw
        try:
            raw.settimeout(30)
            if self.ctx:
                sock = self.ctx.wrap_socket(raw, server_side=True)
            buf = b""
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buf:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buf += data
                head, _, buf = buf.partition(b"\r\n\r\n")
                line = head.split(b"\r\n", 1)[0].decode("latin-1")
                method, path, _ = line.split(" ", 2)
                with self._lock:
                    self._paths.append(path)
                if not self._answer(sock, raw, method, path):
                    return
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def _send(self, sock, status, body, ctype="application/octet-stream", extra=""):
        sock.sendall(("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                      % (status, ctype, len(body), extra)).encode() + body)

    def _answer(self, sock, raw, method, path):
        """Answer one request; False when the connection must end."""
        bare = path.split("?", 1)[0]      # a storage host's signed query string
        with self._lock:
            kind = self.behaviour.get(bare)
            data = self.files.get(bare)
            redirect = next(((p, t, st) for p, t, st in self.redirects if bare.startswith(p)), None)
        if kind == "reset":
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            if sock is not raw:
                socket.socket(fileno=sock.detach()).close()
            else:
                raw.close()
            return False
        if kind == "stall":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/oc")
            evt = self._release
            for _ in range(600):
                if self._stop.is_set() or evt.wait(0.1):
                    break
            return False
        if kind == "html":
            self._send(sock, "200 OK", HTML_PORTAL, "text/html; charset=utf-8")
            return True
        if kind == "huge":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                         b"Content-Length: 1073741824\r\n\r\n" + b"\0" * 4096)
            self._stop.wait(5)
            return False
        if redirect and data is None:
            prefix, target, status = redirect
            rest = bare[len(prefix):]
            loc = target.replace("{}", rest) if "{}" in target else target + rest
            self._send(sock, "%d Found" % status, b"<html>moved</html>", "text/html", "Location: %s\r\n" % loc)
            return True
        if data is None or kind == "404":
            self._send(sock, "404 Not Found", HTML_404, "text/html; charset=utf-8")
            return True
        if kind == "truncate":
            sock.sendall(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
                          % len(data)).encode() + data[:len(data) // 2])
            return False
        if kind == "short":
            self._send(sock, "200 OK", data[:-1])
            return True
        self._send(sock, "200 OK", data if method != "HEAD" else b"")
        return True
