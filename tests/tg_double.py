"""A fake Telegram Bot API server for ExamFlow's end-to-end tests (stdlib only).

    d = TelegramDouble(token="123456:ABC-test")
    d.start()                      # listens on 127.0.0.1, ephemeral port
    d.url                          # "http://127.0.0.1:PORT" -> config telegram_api
    d.push_message(42, "/start")   # the bot will get it from getUpdates
    d.wait_for(1, timeout=5)       # until one sendMessage was accepted
    d.sent(42)[0]["text"]
    d.stop()

It reproduces the semantics of the real server that a bot can get wrong:
  * paths /bot<token>/<method>, method names case-insensitive; a wrong token
    is 401 "Unauthorized", an unknown method 404 "Not Found";
  * parameters in an application/json body (the only encoding ExamFlow
    sends); strings that are not valid UTF-8 (or JSON lone surrogates) are
    refused;
  * getUpdates: offset confirmation (update_id < offset forgotten for good,
    negative offset keeps the last -offset updates), limit clamped to 1..100,
    long poll `timeout` answered as soon as an update arrives, allowed_updates
    remembered between calls and applied to updates created after the call,
    a newer getUpdates terminates the pending older one with 409;
  * sendMessage: 1..4096 characters counted in UTF-16 code units *after*
    entity parsing (and stripping), parse_mode HTML parsed like the real
    server (same error texts: "Unsupported start tag", "Unmatched end tag",
    "Can't find end tag corresponding to start tag", ...), callback_data
    1..64 bytes ("BUTTON_DATA_INVALID"), blocked / deactivated / kicked
    chats 403, migrated groups 400 with parameters.migrate_to_chat_id;
  * flood control: 30 messages/s overall, 1/s per private chat with a small
    burst, 20/min per group; 429 with parameters.retry_after and a
    Retry-After header;
  * answerCallbackQuery ("query is too old ..." for unknown, stale or
    already answered queries), sendChatAction, setMyCommands, getMe,
    deleteWebhook: the methods ExamFlow calls, and no others (404).

Deliberately stricter than the real server: a bare "&" that does not start
an entity is refused in HTML mode (the real server keeps it as text, but
ExamFlow promises to escape every "&"); parse modes other than HTML are refused.  A bare ">" is accepted
like the real server does.

Faults (fail_next, set_outage): "502html" (nginx 502 page), "504html",
"500", "429" (retry_after=N), "reset" (TCP RST, no response), "close" (FIN,
no response), "stall" (never answers until stop() or release_stalls()),
"garbage" (200 with a non-JSON body).  set_latency(ms) adds a simulated
round trip (half before handling, half after).  An answer goes out in one
write (headers and body together, as nginx sends a small one); split_writes =
True sends the body in a write of its own, as Python's http.server does.

Extra for the operations tests: any request whose path starts with /ping is
answered 200 "OK" and recorded in pings() (a stand-in for UptimeRobot's
heartbeat URL).

Controls: push_update(dict), push_message(chat_id, text, from_id=, first_name=,
language_code=, username=), push_callback(chat_id, data, message_id=),
press(chat_id, button_label), push_my_chat_member(chat_id, "kicked"|"member"),
block(chat_id, reason), unblock, migrate(chat_id, new_id),
set_limits(on, **rates), set_latency(ms), fail_next(method, n, kind, retry_after=),
set_outage(kind|None), release_stalls(), stop() then start() again (same port).
Inspection: sent(chat_id), texts(chat_id), chat_actions(),
callback_answers(), calls(method), pings(), commands, pending_updates,
confirmed_offset, allowed_updates, count_429, counter(name) (counter("polls"):
getUpdates calls begun, before they are answered and listed in calls()), stats(),
connections, open_connections, wait_for(count or callable, timeout).

All `t` fields are time.monotonic() of the test process, so they compare
with the Gemini double's timestamps; `wall` fields are time.time().

TLS: TelegramDouble(certfile=..., keyfile=...) serves https (handshake in the
connection's own thread).  make_test_pki(dir) writes a CA and a leaf for
"localhost"/127.0.0.1 with the openssl command line tool.
"""

import bisect
import json
import math
import os
import re
import socket
import ssl
import struct
import subprocess
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["TelegramDouble", "HttpDouble", "Reply", "parse_html", "HtmlError",
           "utf16_len", "make_test_pki"]


# ---------------------------------------------------------------------------
# text helpers (also useful to tests that check what the bot sent)
# ---------------------------------------------------------------------------

def utf16_len(s):
    """Length of s in UTF-16 code units, the unit of Telegram's limits and offsets."""
    return sum(2 if ord(c) > 0xFFFF else 1 for c in s)


def has_lone_surrogate(s):
    return any(0xD800 <= ord(c) <= 0xDFFF for c in s)


class HtmlError(ValueError):
    pass


# Tags of Telegram's HTML parse mode -> entity type.
_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough",
    "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
    "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = b" \t\r\n"


def _html_entity(b, i):
    """(character, bytes used) for an entity at b[i] == '&', or (None, 0)."""
    j = b.find(b";", i + 1, i + 12)
    if j < 0:
        return None, 0
    name = b[i + 1:j].decode("ascii", "replace")
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], j - i + 1
    m = re.fullmatch(r"#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}))", name)
    if not m:
        return None, 0
    cp = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        return None, 0
    return chr(cp), j - i + 1


def _decode_attr(raw):
    out, i, b = [], 0, raw
    while i < len(b):
        if b[i] == 0x26:
            ch, used = _html_entity(b, i)
            if ch is not None:
                out.append(ch)
                i += used
                continue
        j = b.find(b"&", i + 1)
        j = len(b) if j < 0 else j
        out.append(b[i:j].decode("utf-8", "replace"))
        i = j
    return "".join(out)


def parse_html(text):
    """Parse Telegram HTML: returns (plain_text, entities) or raises HtmlError
    whose message follows the real server's wording (byte offsets in UTF-8)."""
    b = text.encode("utf-8")
    n = len(b)
    out, stack, ents = [], [], []
    u16 = 0
    i = 0
    while i < n:
        c = b[i]
        if c == 0x26:  # '&'
            ch, used = _html_entity(b, i)
            if ch is None:
                raise HtmlError('Unescaped "&" at byte offset %d (the double is strict: '
                                'escape it as &amp;)' % i)
            out.append(ch)
            u16 += utf16_len(ch)
            i += used
            continue
        if c != 0x3C:  # plain run up to the next '&' or '<' (ASCII, so UTF-8 safe)
            j = i
            while j < n and b[j] != 0x26 and b[j] != 0x3C:
                j += 1
            seg = b[i:j].decode("utf-8")
            out.append(seg)
            u16 += utf16_len(seg)
            i = j
            continue
        begin = i
        i += 1
        if i < n and b[i] == 0x2F:  # end tag
            j = b.find(b">", i)
            if j < 0:
                raise HtmlError("Unclosed end tag at byte offset %d" % begin)
            name = b[i + 1:j].decode("utf-8", "replace").strip().lower()
            if not stack:
                raise HtmlError("Unexpected end tag at byte offset %d" % begin)
            top = stack[-1]
            if name and name != top[0]:
                raise HtmlError('Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"'
                                % (begin, top[0], name))
            stack.pop()
            if u16 > top[1]:
                ent = {"type": _HTML_TAGS[top[0]], "offset": top[1], "length": u16 - top[1]}
                if top[0] == "a":
                    ent["url"] = top[2].get("href", "")
                if top[0] == "pre" and top[2].get("language"):
                    ent["language"] = top[2]["language"]
                if top[0] == "tg-emoji":
                    ent["custom_emoji_id"] = top[2].get("emoji-id", "")
                ents.append(ent)
            i = j + 1
            continue
        j = i
        while j < n and b[j] not in _SPACE and b[j] != 0x3E:
            j += 1
        if j >= n:
            raise HtmlError("Unclosed start tag at byte offset %d" % begin)
        name = b[i:j].decode("utf-8", "replace").lower()
        if name not in _HTML_TAGS:
            raise HtmlError('Unsupported start tag "%s" at byte offset %d' % (name, begin))
        attrs = {}
        i = j
        while True:
            while i < n and b[i] in _SPACE:
                i += 1
            if i >= n:
                raise HtmlError("Unclosed start tag at byte offset %d" % begin)
            if b[i] == 0x3E:
                i += 1
                break
            k = i
            while k < n and b[k] not in _SPACE and b[k] not in b"=>":
                k += 1
            aname = b[i:k].decode("utf-8", "replace").lower()
            if not aname:
                raise HtmlError('Empty attribute name in the tag "%s" at byte offset %d' % (name, begin))
            i = k
            while i < n and b[i] in _SPACE:
                i += 1
            if i < n and b[i] == 0x3D:  # '='
                i += 1
                while i < n and b[i] in _SPACE:
                    i += 1
                if i >= n:
                    raise HtmlError("Unclosed start tag at byte offset %d" % begin)
                if b[i] in b"\"'":
                    q = b[i]
                    k = b.find(bytes([q]), i + 1)
                    if k < 0:
                        raise HtmlError("Unclosed start tag at byte offset %d" % begin)
                    attrs[aname] = _decode_attr(b[i + 1:k])
                    i = k + 1
                else:
                    k = i
                    while k < n and b[k] not in _SPACE and b[k] != 0x3E:
                        k += 1
                    attrs[aname] = _decode_attr(b[i:k])
                    i = k
            else:
                attrs[aname] = ""
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError('Tag "span" must have class "tg-spoiler" at byte offset %d' % begin)
        stack.append((name, u16, attrs))
    if stack:
        raise HtmlError('Can\'t find end tag corresponding to start tag "%s"' % stack[-1][0])
    ents.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), ents


def _strip_entities(text, ents):
    """Strip surrounding whitespace as the server does, shifting entity offsets."""
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    if not lead and stripped == text:
        return text, ents
    shift = utf16_len(text[:lead])
    size = utf16_len(stripped)
    out = []
    for e in ents:
        s = max(0, e["offset"] - shift)
        end = min(size, e["offset"] + e["length"] - shift)
        if end > s:
            e = dict(e, offset=s, length=end - s)
            out.append(e)
    return stripped, out


# ---------------------------------------------------------------------------
# certificates for the TLS tests
# ---------------------------------------------------------------------------

def make_test_pki(directory, host="localhost"):
    """Write ca.pem, cert.pem (leaf for host and 127.0.0.1, signed by the CA;
    the file holds the leaf then the CA), key.pem into directory with the
    openssl tool.  Returns dict(ca=, cert=, key=) or None when openssl is missing."""
    os.makedirs(directory, exist_ok=True)
    p = lambda name: os.path.join(directory, name)
    ext = p("leaf.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s,IP:127.0.0.1\n" % host)
    cmds = [
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
         "-subj", "/CN=ExamFlow Test CA", "-keyout", p("ca.key"), "-out", p("ca.pem"),
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=%s" % host,
         "-keyout", p("key.pem"), "-out", p("leaf.csr")],
        ["openssl", "x509", "-req", "-in", p("leaf.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
         "-CAcreateserial", "-days", "30", "-sha256", "-extfile", ext, "-out", p("leaf.pem")],
    ]
    try:
        for c in cmds:
            subprocess.run(c, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    with open(p("cert.pem"), "w") as out:
        for name in ("leaf.pem", "ca.pem"):
            with open(p(name)) as f:
                out.write(f.read())
    return {"ca": p("ca.pem"), "cert": p("cert.pem"), "key": p("key.pem")}


# ---------------------------------------------------------------------------
# the HTTP machinery shared by the Telegram and Gemini doubles
# ---------------------------------------------------------------------------

class Reply:
    """What a double answers: a response, or an action instead of one."""

    def __init__(self, status=200, body=b"", ctype="application/json", headers=None,
                 action=None, chunked=False, close=False):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.ctype = ctype
        self.headers = list(headers or [])
        self.action = action          # None | "reset" | "close" | "stall"
        self.chunked = chunked
        self.close = close


class Request:
    def __init__(self, method, path, query, headers, body, conn, t):
        self.method = method
        self.path = path
        self.query = query            # raw query string
        self.headers = headers        # http.client.HTTPMessage
        self.body = body
        self.conn = conn              # connection number, 1-based
        self.t = t


NGINX_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
             b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
             b"</body>\r\n</html>\r\n")
NGINX_504 = (b"<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
             b"<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
             b"</body>\r\n</html>\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False            # server_close() must never wait for a stalled handler
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass                          # clients vanish mid-request on purpose in these tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return self.server.double.server_header

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        dbl = self.server.double
        self.request.settimeout(dbl.idle_timeout)
        try:  # headers and body may go out in two writes: without this, Nagle adds ~40 ms per call
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self._dead = False
        if dbl.ssl_ctx is not None:
            try:
                self.request = dbl.ssl_ctx.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                dbl._count("tls_failures")
                raise
        self.conn_no = dbl._conn_open(self.request)
        super().setup()

    def finish(self):
        try:
            if not self._dead:
                super().finish()
                if isinstance(self.request, ssl.SSLSocket):   # socketserver only closes the raw one
                    self.request.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            self.server.double._conn_close(self.request)
            if isinstance(self.request, ssl.SSLSocket) and not self._dead:
                self.request.close()

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            parts = []
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise OSError("eof in chunked body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(8)
        n = int(self.headers.get("Content-Length") or 0)
        if n > self.server.double.max_body:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self):
        dbl = self.server.double
        t = time.monotonic()
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._write(Reply(400, b"bad request body", "text/plain", close=True))
            return
        path, _, query = self.path.partition("?")
        req = Request(self.command, path, query, self.headers, body, self.conn_no, t)
        rep = dbl._serve(req)
        if rep.action == "reset":
            self._dead = True
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                raw = self.connection
                if isinstance(raw, ssl.SSLSocket):   # RST, not a TLS close_notify
                    raw = socket.socket(fileno=raw.detach())
                raw.close()
            except OSError:
                pass
            return
        if rep.action == "close":
            self.close_connection = True
            return
        if rep.action == "stall":
            dbl._stall_wait()
            self.close_connection = True
            return
        self._write(rep)

    def _write(self, rep):
        try:
            self.send_response(rep.status)
            self.send_header("Content-Type", rep.ctype)
            for k, v in rep.headers:
                self.send_header(k, v)
            if rep.close:
                self.send_header("Connection", "close")
                self.close_connection = True
            if rep.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                body = rep.body
                step = 700
                for k in range(0, len(body), step):
                    piece = body[k:k + step]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            elif self.server.double.split_writes:
                self.send_header("Content-Length", str(len(rep.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(rep.body)
            else:  # one write, the way nginx in front of Telegram sends a small answer
                self.send_header("Content-Length", str(len(rep.body)))
                self._headers_buffer.append(b"\r\n")
                if self.command != "HEAD":
                    self._headers_buffer.append(rep.body)
                self.flush_headers()
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _dispatch


class HttpDouble:
    """Start/stop, connections, TLS, latency and fault injection shared by the doubles.
    Subclasses implement handle(req) -> Reply and fault_reply(kind, opts) -> Reply."""

    server_header = "double"
    idle_timeout = 30.0               # seconds an idle keep-alive connection is kept (set before start)
    max_body = 8 * 1024 * 1024
    split_writes = False              # True: headers, then the body in a write of its own (http.server's
                                      # way); False: one write, as nginx sends a small answer

    def __init__(self, certfile=None, keyfile=None, host="127.0.0.1", port=0):
        self.host, self.port = host, port
        self.ssl_ctx = None
        if certfile:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)
            self.ssl_ctx = ctx
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._stop_evt = threading.Event()
        self._release_evt = threading.Event()
        self._socks = set()
        self._faults = []             # [method or "*", remaining, kind, opts]
        self._outage = None           # (kind, opts) while set
        self._latency = 0.0
        self._counters = {}
        self.connections = 0          # TCP connections accepted so far
        self._httpd = None
        self._thread = None

    # --- life cycle -------------------------------------------------------
    def start(self):
        """Listen (again after stop(): on the same port, so the bot's URL stays valid)."""
        self._stop_evt.clear()
        self._release_evt = threading.Event()
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.double = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving; wakes long polls and stalls and drops every open connection."""
        if self._httpd is None:
            return
        self._stop_evt.set()
        self._release_evt.set()
        with self._cond:
            self._cond.notify_all()
        self._httpd.shutdown()
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        self._thread.join(timeout=2)
        self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.ssl_ctx else "http", self.port)

    def url_for(self, host):
        """Base URL with another host name (e.g. "localhost" for certificate checks)."""
        return "%s://%s:%d" % ("https" if self.ssl_ctx else "http", host, self.port)

    @property
    def open_connections(self):
        with self._lock:
            return len(self._socks)

    # --- test controls ----------------------------------------------------
    def set_latency(self, ms):
        """Simulated round trip added to every call (half before, half after handling)."""
        self._latency = max(0.0, ms / 1000.0)

    def fail_next(self, method, n=1, kind="500", **opts):
        """The next n calls of method ("*" = any) fail with kind:
        "502html", "504html", "500", "429" (retry_after=N), "reset", "close", "stall", "garbage"."""
        with self._lock:
            self._faults.append([method, n, kind, opts])

    def set_outage(self, kind="502html", **opts):
        """Every call fails with kind until set_outage(None)."""
        with self._lock:
            self._outage = (kind, opts) if kind else None
            if kind is None:
                self._release_evt.set()
                self._release_evt = threading.Event()

    def release_stalls(self):
        """Let stalled requests go (their connections are closed without answer)."""
        self._release_evt.set()
        self._release_evt = threading.Event()

    def counter(self, name):
        with self._lock:
            return self._counters.get(name, 0)

    def wait_until(self, pred, timeout):
        """Poll pred() until true or timeout (seconds); returns the last value."""
        end = time.monotonic() + timeout
        while True:
            v = pred()
            if v or time.monotonic() >= end or self._stop_evt.is_set():
                return v
            time.sleep(0.01)

    # --- internals ----------------------------------------------------------
    def _count(self, name, k=1):
        with self._lock:
            self._counters[name] = self._counters.get(name, 0) + k

    def _conn_open(self, sock):
        with self._lock:
            self._socks.add(sock)
            self.connections += 1
            return self.connections

    def _conn_close(self, sock):
        with self._lock:
            self._socks.discard(sock)

    def _sleep(self, s):
        if s > 0:
            self._stop_evt.wait(s)

    def _stall_wait(self):
        evt = self._release_evt
        while not self._stop_evt.is_set() and not evt.is_set():
            evt.wait(0.1)

    def _take_fault(self, method):
        with self._lock:
            if self._outage:
                return self._outage
            for f in self._faults:
                if f[1] > 0 and (f[0] == "*" or f[0].lower() == method.lower()):
                    f[1] -= 1
                    kind, opts = f[2], f[3]
                    self._faults = [x for x in self._faults if x[1] > 0]
                    return kind, opts
        return None

    def _serve(self, req):
        self._sleep(self._latency / 2)
        try:
            rep = self.handle(req)
        except Exception:                 # a bug in the double: make it loud, answer 500
            traceback.print_exc()
            self._count("double_errors")
            return Reply(500, b'{"double_error":true}')
        if rep.action is None:
            self._sleep(self._latency / 2)
        return rep

    def _fault(self, kind, opts):
        self._count("faults")
        if kind in ("reset", "close", "stall"):
            return Reply(action=kind)
        if kind == "502html":
            return Reply(502, NGINX_502, "text/html")
        if kind == "504html":
            return Reply(504, NGINX_504, "text/html")
        if kind == "garbage":
            return Reply(200, b"<html><body>maintenance</body></html>", "text/html")
        return self.fault_reply(kind, opts)

    def handle(self, req):
        raise NotImplementedError

    def fault_reply(self, kind, opts):
        raise ValueError("unknown fault kind %r" % kind)


# ---------------------------------------------------------------------------
# parameter decoding
# ---------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, code, description, parameters=None, headers=None):
        super().__init__(description)
        self.code, self.description = code, description
        self.parameters, self.headers = parameters, headers or []


def _bad(desc, **params):
    return ApiError(400, "Bad Request: " + desc, params or None)


def _parse_params(req):
    """The parameters: a JSON object in the body (what ExamFlow sends)."""
    if not req.body:
        return {}
    ctype = (req.headers.get("Content-Type") or "").lower()
    if not ctype.startswith("application/json"):
        raise _bad("the double reads application/json bodies only, not %r" % ctype)
    try:
        obj = json.loads(req.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise _bad("strings must be encoded in UTF-8")
    except ValueError:
        raise _bad("can't parse JSON object")
    if not isinstance(obj, dict):
        raise _bad("can't parse JSON object")
    return obj


def _int(params, name, default=None, required=False, empty_desc=None):
    v = params.get(name)
    if v is None or v == "":
        if required:
            raise _bad(empty_desc or ("%s is empty" % name))
        return default
    if isinstance(v, bool):
        raise _bad("invalid %s specified" % name)
    try:
        return int(v)
    except (TypeError, ValueError):
        raise _bad("invalid %s specified" % name)


def _jsonish(v):
    """JSON bodies may carry objects, or JSON text in a string."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return ValueError
    return v


def _text_param(params, name):
    v = params.get(name)
    if v is None:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str):
        raise _bad("%s must be a string" % name)
    if has_lone_surrogate(v):
        raise _bad("strings must be encoded in UTF-8")
    return v


class _UpdateIds:
    """The update_ids of a list of updates, as a sequence for bisect (whose key=
    needs Python 3.10)."""

    def __init__(self, updates):
        self.updates = updates

    def __len__(self):
        return len(self.updates)

    def __getitem__(self, i):
        return self.updates[i]["update_id"]


class _Bucket:
    """Token bucket: rate tokens per second, at most burst tokens."""

    def __init__(self, rate, burst, now):
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.t = float(burst), now

    def wait(self, now):
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self):
        self.tokens -= 1.0


_UPDATE_TYPES_DEFAULT_OFF = {"chat_member", "message_reaction", "message_reaction_count"}
_CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                 "upload_voice", "upload_document", "choose_sticker", "find_location",
                 "record_video_note", "upload_video_note"}
_BLOCK_DESC = {
    "blocked": "Forbidden: bot was blocked by the user",
    "deactivated": "Forbidden: user is deactivated",
    "kicked": "Forbidden: bot was kicked from the group chat",
    "not_started": "Forbidden: bot can't initiate conversation with a user",
}
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_POLL = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
                 "instance is running")



# ---------------------------------------------------------------------------
# the Telegram double
# ---------------------------------------------------------------------------

class TelegramDouble(HttpDouble):
    server_header = "nginx/1.18.0"
    MAX_POLL_TIMEOUT = 50             # seconds; longer requests are cut to this

    def __init__(self, token="123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", limits=True,
                 global_rate=30.0, global_burst=None, chat_rate=1.0, chat_burst=3, group_per_min=20,
                 first_update_id=100000001, bot_username="examflow_test_bot",
                 callback_timeout=15.0, **kw):
        super().__init__(**kw)
        self.token = token
        self.limits = limits
        self.global_rate, self.chat_rate, self.chat_burst = global_rate, chat_rate, chat_burst
        self.global_burst = global_burst  # None: one second's worth (global_rate)
        self.group_per_min = group_per_min
        self.callback_timeout = callback_timeout
        bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 123456
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "ExamFlow Test",
                         "username": bot_username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False,
                         "can_connect_to_business": False, "has_main_web_app": False}
        self._next_update_id = first_update_id
        self._updates = []            # pending (not forgotten) updates, ascending update_id
        self._dropped = []            # pushed but filtered out by allowed_updates
        self._allowed = None          # None: never set
        self._poll_ticket = 0         # the newest getUpdates; older waiters get 409
        self._max_offset = 0          # highest offset a getUpdates confirmed with
        self._calls = []
        self._sent = []
        self._actions = []
        self._cb_answers = []
        self._callbacks = {}          # query id -> {"t":, "answered": bool}
        self._next_cb = 4242000000000000000
        self._messages = {}           # (chat_id, message_id) -> {"text","entities","markup","msg"}
        self._msg_ids = {}            # chat_id -> last message_id
        self._users = {}              # user id -> user object seen in pushed updates
        self._blocked = {}            # chat_id -> reason
        self._migrated = {}           # chat_id -> new chat id
        self._commands = {}           # (scope type, language_code) -> commands
        self._pings = []
        self._buckets = {}
        self._methods = {m.lower(): m for m in (
            "getMe", "deleteWebhook", "setMyCommands", "getUpdates", "sendMessage",
            "answerCallbackQuery", "sendChatAction")}

    # --- pushing updates ------------------------------------------------------
    def _now_date(self):
        return int(time.time())

    def push_update(self, update):
        """Queue an update (dict without update_id); returns it with its update_id,
        or None when the bot's allowed_updates filter drops it, as the server would."""
        kinds = [k for k in update if k != "update_id"]
        with self._cond:
            if (not set(kinds) <= self._allowed if self._allowed is not None
                    else set(kinds) & _UPDATE_TYPES_DEFAULT_OFF):
                self._dropped.append(dict(update))
                return None
            u = dict(update)
            u["update_id"] = self._next_update_id
            self._next_update_id += 1
            self._updates.append(u)
            self._cond.notify_all()
            return u

    def _chat(self, chat_id, user=None, title=None):
        if chat_id > 0:
            c = {"id": chat_id, "first_name": (user or {}).get("first_name", "Test"), "type": "private"}
            if user and user.get("username"):
                c["username"] = user["username"]
            return c
        kind = "supergroup" if chat_id <= -1000000000000 else "group"
        return {"id": chat_id, "title": title or "Test group %d" % -chat_id, "type": kind}

    def _user(self, from_id, first_name, language_code, username=None, last_name=None):
        u = {"id": from_id, "is_bot": False, "first_name": first_name}
        if last_name:
            u["last_name"] = last_name
        if username:
            u["username"] = username
        if language_code:
            u["language_code"] = language_code
        with self._lock:
            self._users[from_id] = u
        return u

    def _new_msg_id(self, chat_id):
        with self._lock:
            mid = self._msg_ids.get(chat_id, 0) + 1
            self._msg_ids[chat_id] = mid
            return mid

    def push_message(self, chat_id, text, from_id=None, first_name="Тест", language_code="ru",
                     username=None, last_name=None, title=None, extra=None):
        """A text message from a user; commands get a bot_command entity like real ones.
        from_id defaults to chat_id for private chats and 777000001 in groups."""
        if from_id is None:
            from_id = chat_id if chat_id > 0 else 777000001
        user = self._user(from_id, first_name, language_code, username, last_name)
        msg = {"message_id": self._new_msg_id(chat_id), "from": user,
               "chat": self._chat(chat_id, user, title), "date": self._now_date()}
        if text is not None:
            msg["text"] = text
            m = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
            if m:
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]
        if extra:
            msg.update(extra)
        return self.push_update({"message": msg})

    def push_callback(self, chat_id, data, message_id=None, from_id=None, first_name="Тест",
                      language_code="ru"):
        """A button press on the bot's message message_id (default: its last one in chat)."""
        if from_id is None:
            from_id = chat_id if chat_id > 0 else 777000001
        user = self._user(from_id, first_name, language_code)
        with self._lock:
            if message_id is None:
                mids = [m for (c, m), v in self._messages.items() if c == chat_id]
                message_id = max(mids) if mids else 1
            stored = self._messages.get((chat_id, message_id))
            msg = dict(stored["msg"]) if stored else {
                "message_id": message_id, "from": self.bot_user, "chat": self._chat(chat_id, user),
                "date": self._now_date(), "text": ""}
            self._next_cb += 1
            qid = str(self._next_cb)
            self._callbacks[qid] = {"t": time.monotonic(), "answered": False}
        cq = {"id": qid, "from": user, "message": msg, "chat_instance": "-%d" % (abs(chat_id) * 7 + 13),
              "data": data}
        return self.push_update({"callback_query": cq})

    def press(self, chat_id, label, message_id=None):
        """Press the inline button whose text contains label on the bot's last message
        with a keyboard in chat_id (or on message_id); returns the update or None."""
        with self._lock:
            cands = sorted(((m, v) for (c, m), v in self._messages.items()
                            if c == chat_id and v["markup"] and (message_id is None or m == message_id)),
                           key=lambda x: x[0], reverse=True)
        for mid, v in cands:
            for row in v["markup"].get("inline_keyboard", []):
                for btn in row:
                    if label in btn.get("text", "") and "callback_data" in btn:
                        return self.push_callback(chat_id, btn["callback_data"], message_id=mid)
        return None

    def push_my_chat_member(self, chat_id, status="kicked", old_status=None, from_id=None,
                            first_name="Тест"):
        """The user blocked ("kicked") or unblocked ("member") the bot; the double's
        block list follows, as the server's would."""
        if from_id is None:
            from_id = chat_id if chat_id > 0 else 777000001
        user = self._user(from_id, first_name, None)
        if old_status is None:
            old_status = "member" if status == "kicked" else "kicked"
        new = {"user": self.bot_user, "status": status}
        if status == "kicked":
            new["until_date"] = 0
        upd = {"chat": self._chat(chat_id, user), "from": user, "date": self._now_date(),
               "old_chat_member": {"user": self.bot_user, "status": old_status},
               "new_chat_member": new}
        if status in ("kicked", "left"):
            self.block(chat_id, "blocked" if chat_id > 0 else "kicked")
        else:
            self.unblock(chat_id)
        return self.push_update({"my_chat_member": upd})

    # --- other controls ---------------------------------------------------------
    def block(self, chat_id, reason="blocked"):
        """403 for chat_id from now on; reason: blocked, deactivated, kicked, not_started."""
        with self._lock:
            self._blocked[chat_id] = reason

    def unblock(self, chat_id):
        with self._lock:
            self._blocked.pop(chat_id, None)

    def migrate(self, chat_id, new_chat_id, notify=False):
        """Group chat_id became supergroup new_chat_id: calls to the old id get 400 with
        parameters.migrate_to_chat_id; notify=True also pushes the service message."""
        with self._lock:
            self._migrated[chat_id] = new_chat_id
        if notify:
            self.push_message(chat_id, None, extra={"migrate_to_chat_id": new_chat_id})

    def set_limits(self, on=True, **kw):
        with self._lock:
            self.limits = on
            for k, v in kw.items():
                setattr(self, k, v)
            self._buckets.clear()

    # --- inspection -----------------------------------------------------------------
    def sent(self, chat_id=None):
        """Accepted sendMessage calls, in acceptance order: dicts with chat_id, text (as
        sent), plain (after entity parsing), parse_mode, reply_markup, message_id, t, wall, params."""
        with self._lock:
            return [dict(s) for s in self._sent if chat_id is None or s["chat_id"] == chat_id]

    def texts(self, chat_id=None, plain=True):
        return [s["plain" if plain else "text"] for s in self.sent(chat_id)]

    def chat_actions(self, chat_id=None):
        with self._lock:
            return [dict(s) for s in self._actions if chat_id is None or s["chat_id"] == chat_id]

    def callback_answers(self):
        with self._lock:
            return [dict(s) for s in self._cb_answers]

    def calls(self, method=None):
        """Every API call: dicts with method, params, t, wall, status, description, conn."""
        with self._lock:
            return [dict(c) for c in self._calls if method is None or c["method"] == method]

    def pings(self):
        with self._lock:
            return list(self._pings)

    @property
    def commands(self):
        """{(scope_type, language_code): [ {command, description}, ... ]} from setMyCommands."""
        with self._lock:
            return dict(self._commands)

    @property
    def pending_updates(self):
        with self._lock:
            return [dict(u) for u in self._updates]

    @property
    def confirmed_offset(self):
        """The highest offset any getUpdates call confirmed with."""
        with self._lock:
            return self._max_offset

    @property
    def allowed_updates(self):
        with self._lock:
            return None if self._allowed is None else sorted(self._allowed)

    @property
    def count_429(self):
        return self.counter("429")

    def stats(self):
        with self._lock:
            return dict(self._counters, connections=self.connections, sent=len(self._sent),
                        pending_updates=len(self._updates))

    def wait_for(self, what, timeout=5.0):
        """Wait until what (an int: that many accepted sendMessage calls; or a no-argument
        callable) is true, at most timeout seconds; returns whether it became true."""
        pred = (lambda: len(self._sent) >= what) if isinstance(what, int) else what
        return bool(self.wait_until(pred, timeout))

    # --- HTTP entry -----------------------------------------------------------------
    def handle(self, req):
        if req.path.startswith("/ping"):
            with self._lock:
                self._pings.append({"t": req.t, "wall": time.time(), "path": req.path,
                                    "query": req.query, "method": req.method})
            fault = self._take_fault("ping")
            return self._fault(*fault) if fault else Reply(200, b"OK", "text/plain")
        m = re.fullmatch(r"/bot([^/]*)/([A-Za-z0-9_]*)", req.path)
        if not m:
            return self._json_reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        method = self._methods.get(m.group(2).lower())
        if m.group(1) != self.token:
            self._log_call(method or m.group(2), {}, req, 401, "Unauthorized")
            return self._json_reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if method is None:
            self._log_call(m.group(2), {}, req, 404, "Not Found")
            return self._json_reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        fault = self._take_fault(method)
        params = {}
        if fault:
            rep = self._fault(*fault)
            self._log_call(method, params, req, rep.status if rep.action is None else rep.action,
                           "fault " + fault[0])
            return rep
        try:
            params = _parse_params(req)
            result, desc = getattr(self, "_m_" + method)(params, req), None
            obj = {"ok": True, "result": result}
            if isinstance(result, tuple):
                obj = {"ok": True, "result": result[0], "description": result[1]}
            status, headers = 200, []
        except ApiError as e:
            obj = {"ok": False, "error_code": e.code, "description": e.description}
            if e.parameters:
                obj["parameters"] = e.parameters
            status, headers, desc = e.code, e.headers, e.description
            if e.code == 429:
                self._count("429")
        self._log_call(method, params, req, status, desc)
        return self._json_reply(status, obj, headers)

    def fault_reply(self, kind, opts):
        if kind == "500":
            return self._json_reply(500, {"ok": False, "error_code": 500,
                                          "description": "Internal Server Error"})
        if kind == "429":
            ra = int(opts.get("retry_after", 3))
            self._count("429")
            return self._json_reply(429, {"ok": False, "error_code": 429,
                                          "description": "Too Many Requests: retry after %d" % ra,
                                          "parameters": {"retry_after": ra}},
                                    [("Retry-After", str(ra))])
        raise ValueError("unknown fault kind %r" % kind)

    def _json_reply(self, status, obj, headers=()):
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        hdrs = [("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", "Content-Length,Content-Type,Date,Server,Connection"),
                ("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload")]
        return Reply(status, body, "application/json", hdrs + list(headers))

    def _log_call(self, method, params, req, status, desc):
        with self._lock:
            self._calls.append({"method": method, "params": params, "t": req.t, "wall": time.time(),
                                "t_done": time.monotonic(), "status": status, "description": desc,
                                "conn": req.conn})
            self._counters["calls"] = self._counters.get("calls", 0) + 1

    # --- checks shared by the chat methods --------------------------------------------
    def _chat_id(self, params):
        v = params.get("chat_id")
        if v is None or v == "":
            raise _bad("chat_id is empty")
        if isinstance(v, str) and v.startswith("@"):
            raise _bad("chat not found")
        try:
            cid = int(v)
        except (TypeError, ValueError):
            raise _bad("chat not found")
        if cid == 0 or isinstance(v, bool):
            raise _bad("chat not found")
        with self._lock:
            if cid in self._migrated:
                raise _bad("group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=self._migrated[cid])
            reason = self._blocked.get(cid)
        if reason:
            raise ApiError(403, _BLOCK_DESC.get(reason, _BLOCK_DESC["blocked"]))
        return cid

    def _text(self, params, name="text"):
        raw = _text_param(params, name)
        if raw is None:
            raise _bad("message text is empty")
        mode = params.get("parse_mode") or ""
        if mode == "HTML" or (isinstance(mode, str) and mode.lower() == "html"):
            try:
                plain, ents = parse_html(raw)
            except HtmlError as e:
                raise _bad("can't parse entities: %s" % e)
        elif mode in ("", None):
            plain, ents = raw, []
        else:
            raise _bad("unsupported parse_mode")
        plain, ents = _strip_entities(plain, ents)
        if not plain:
            raise _bad("message text is empty")
        if utf16_len(plain) > 4096:
            raise _bad("message is too long")
        return raw, plain, ents, mode or None

    def _markup(self, params):
        v = params.get("reply_markup")
        if v is None or v == "":
            return None
        mk = _jsonish(v)
        if mk is ValueError or not isinstance(mk, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in mk:
            rows = mk["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            actions = ("url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
                       "web_app", "login_url", "pay", "callback_game", "copy_text",
                       "switch_inline_query_chosen_chat")
            for row in rows:
                for btn in row:
                    if not isinstance(btn, dict):
                        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
                    if not isinstance(btn.get("text"), str) or not btn["text"].strip():
                        raise _bad("BUTTON_TEXT_EMPTY" if "text" in btn else
                                   "can't parse inline keyboard button: Field \"text\" must be of type String")
                    if "callback_data" in btn:
                        cd = btn["callback_data"]
                        if not isinstance(cd, str):
                            raise _bad("can't parse inline keyboard button: Field \"callback_data\" must be of type String")
                        if has_lone_surrogate(cd) or not 1 <= len(cd.encode("utf-8")) <= 64:
                            raise _bad("BUTTON_DATA_INVALID")
                    elif not any(a in btn for a in actions):
                        raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        return mk

    def _rate(self, cid):
        """Flood control for one outgoing message to cid; raises 429 or takes the tokens."""
        if not self.limits:
            return
        now = time.monotonic()
        with self._lock:
            bs = [self._buckets.setdefault("all", _Bucket(self.global_rate, self.global_burst or self.global_rate,
                                                          now))]
            if cid > 0:
                bs.append(self._buckets.setdefault(cid, _Bucket(self.chat_rate, self.chat_burst, now)))
            else:
                bs.append(self._buckets.setdefault(cid, _Bucket(self.group_per_min / 60.0,
                                                                self.group_per_min, now)))
            wait = max(b.wait(now) for b in bs)
            if wait > 0:
                ra = max(1, int(math.ceil(wait)))
                raise ApiError(429, "Too Many Requests: retry after %d" % ra, {"retry_after": ra},
                               [("Retry-After", str(ra))])
            for b in bs:
                b.take()

    # --- API methods --------------------------------------------------------------------
    def _m_getMe(self, p, req):
        return self.bot_user

    def _m_deleteWebhook(self, p, req):
        if p.get("drop_pending_updates") is True:
            with self._lock:
                self._updates = []
        return True, "Webhook is already deleted"

    def _m_setMyCommands(self, p, req):
        cmds = _jsonish(p.get("commands"))
        if cmds is ValueError or not isinstance(cmds, list):
            raise _bad("can't parse commands JSON object" if p.get("commands") else
                       "parameter \"commands\" is required")
        if len(cmds) > 100:
            raise _bad("too many commands specified")
        for c in cmds:
            if not isinstance(c, dict) or not isinstance(c.get("command"), str):
                raise _bad("can't parse BotCommand")
            name = c["command"]
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name.lstrip("/")):
                raise _bad("BOT_COMMAND_INVALID")
            d = c.get("description")
            if not isinstance(d, str) or not 1 <= len(d) <= 256 or has_lone_surrogate(d):
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = _jsonish(p.get("scope")) if p.get("scope") else {"type": "default"}
        stype = scope.get("type", "default") if isinstance(scope, dict) else "default"
        with self._lock:
            self._commands[(stype, p.get("language_code") or "")] = cmds
        return True

    def _m_getUpdates(self, p, req):
        offset = _int(p, "offset", 0)
        limit = _int(p, "limit", 100)
        if limit <= 0 or limit > 100:
            limit = 100
        timeout = max(0, min(_int(p, "timeout", 0), self.MAX_POLL_TIMEOUT))
        allowed = None
        if "allowed_updates" in p and p["allowed_updates"] not in (None, ""):
            allowed = _jsonish(p["allowed_updates"])
            if allowed is ValueError or not isinstance(allowed, list):
                raise _bad("can't parse allowed_updates JSON array")
        deadline = time.monotonic() + timeout
        with self._cond:
            if allowed is not None:   # remembered; [] means the default set
                self._allowed = {str(a) for a in allowed} if allowed else None
            if offset > 0:
                # forget update_id < offset: _updates is in ascending update_id order, so
                # bisect it rather than filter the whole queue (the benches queue 100,000)
                del self._updates[:bisect.bisect_left(_UpdateIds(self._updates), offset)]
                self._max_offset = max(self._max_offset, offset)
            elif offset < 0:
                self._updates = self._updates[offset:]
            self._poll_ticket += 1
            self._counters["polls"] = self._counters.get("polls", 0) + 1
            ticket = self._poll_ticket
            self._cond.notify_all()   # an older pending getUpdates now answers 409
            while True:
                if self._poll_ticket != ticket:
                    raise ApiError(409, CONFLICT_POLL)
                batch = self._updates[:limit]
                left = deadline - time.monotonic()
                if batch or left <= 0 or self._stop_evt.is_set():
                    return [json.loads(json.dumps(u)) for u in batch]
                self._cond.wait(min(left, 0.5))

    def _record_message(self, cid, mid, plain, ents, markup):
        msg = {"message_id": mid, "from": self.bot_user, "chat": self._chat(cid, self._users.get(cid)),
               "date": self._now_date(), "text": plain}
        if ents:
            msg["entities"] = ents
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        with self._lock:
            self._messages[(cid, mid)] = {"text": plain, "entities": ents,
                                          "markup": msg.get("reply_markup"), "msg": msg}
        return msg

    def _m_sendMessage(self, p, req):
        cid = self._chat_id(p)
        raw, plain, ents, mode = self._text(p)
        markup = self._markup(p)
        self._rate(cid)
        mid = self._new_msg_id(cid)
        msg = self._record_message(cid, mid, plain, ents, markup)
        with self._lock:
            self._sent.append({"chat_id": cid, "text": raw, "plain": plain, "entities": ents,
                               "parse_mode": mode, "reply_markup": markup, "message_id": mid,
                               "t": time.monotonic(), "t_recv": req.t, "wall": time.time(),
                               "conn": req.conn, "params": p})
        return msg

    def _m_answerCallbackQuery(self, p, req):
        qid = p.get("callback_query_id")
        if qid in (None, ""):
            raise _bad("QUERY_ID_INVALID")
        qid = str(qid)
        text = _text_param(p, "text") or ""
        if len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        with self._lock:
            cb = self._callbacks.get(qid)
            now = time.monotonic()
            if cb is None or cb["answered"] or now - cb["t"] > self.callback_timeout:
                raise ApiError(400, QUERY_TOO_OLD)
            cb["answered"] = True
            self._cb_answers.append({"callback_query_id": qid, "text": text, "t": now,
                                     "latency": now - cb["t"], "params": p})
        return True

    def _m_sendChatAction(self, p, req):
        cid = self._chat_id(p)
        action = p.get("action")
        if action in (None, ""):
            raise _bad("action is empty" if action is None else "wrong parameter action in request")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        with self._lock:
            self._actions.append({"chat_id": cid, "action": action, "t": time.monotonic(),
                                  "wall": time.time()})
        return True
