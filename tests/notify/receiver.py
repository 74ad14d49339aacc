"""Loopback receivers of notifications, for tests: what each target type receives, recorded.

``Receiver``: an HTTP (or, ``tls=True``, HTTPS with a certificate from a CA made at start, ``ca_path``)
server on 127.0.0.1 that records every POST (path, headers, JSON body) and answers as told:
``answer=200`` (any status), or ``"hang"`` (it reads the request and never answers: the client's timeout
ends it; ``close()`` lets the handler go). ``SmtpSink``: a real SMTP server (``aiosmtpd``) on 127.0.0.1
that records every message it receives (``messages``: ``email.message.Message``).

    with Receiver() as hook:
        url = hook.url("/workflows/SECRET")   # the path stands for the webhook's secret token
        ... hook.requests[0]["json"]
"""
import email
import email.policy
import json
import os
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "central"))
import double  # noqa: E402  pylint: disable=wrong-import-position


class Receiver(object):
    def __init__(self, answer=200, tls=False, directory=None):
        self.answer = answer
        self.requests = []
        self.received = threading.Event()
        self.release = threading.Event()
        self.ca_path = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    parsed = json.loads(body.decode("utf-8"))
                except ValueError:
                    parsed = None
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "json": parsed})
                receiver.received.set()
                if receiver.answer == "hang":
                    receiver.release.wait(120)
                    return
                self.send_response(receiver.answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            ca_path, cert, key = double.make_certificates(directory)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.ca_path = ca_path
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path="/"):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.server.server_address[1], path)

    def __enter__(self):
        self.thread.start()
        return self

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def __exit__(self, *exc):
        self.close()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink(object):
    """A real SMTP server on loopback (aiosmtpd), with AUTH (``username``/``password``) when given.

    Without TLS the server allows AUTH in clear text (a loopback test only)."""

    def __init__(self, username=None, password=None):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages = []
        self.envelopes = []
        self.logins = []
        self.received = threading.Event()
        sink = self

        class Handler(object):
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                sink.envelopes.append(envelope)
                sink.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                sink.received.set()
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode(), auth_data.password.decode()) == (username, password)
            sink.logins.append((auth_data.login.decode(), ok))
            return AuthResult(success=ok)

        options = {}
        if username:
            options.update(authenticator=authenticate, auth_require_tls=False, auth_required=True)
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
