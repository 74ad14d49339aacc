"""A loopback stand-in for Alertmanager's silence API, for tests of plugin_utils/_silence.py.

``mode``: ``ok`` (answers as Alertmanager v2 does: a new id for a POST without one, the same id for an
extension), ``500`` (every request answered 500), ``hang`` (the request is read, never answered: the
client's timeout ends it). ``requests`` lists (method, path, headers, body) in order; ``mode`` may be
changed between requests. The real Alertmanager is tested in tests/integration/test_silence.py.
"""
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeAlertmanager(object):
    def __init__(self, mode="ok"):
        self.mode = mode
        self.requests = []
        self.silences = {}
        self.released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((self.command, self.path, dict(self.headers), body))
                if fake.mode == "hang":
                    fake.released.wait(30)
                    return
                if fake.mode == "500":
                    self._send(500, {"error": "internal"})
                    return
                if self.command == "POST":
                    silence_id = body.get("id") or str(uuid.uuid4())
                    fake.silences[silence_id] = dict(body, id=silence_id, state="active")
                    self._send(200, {"silenceID": silence_id})
                elif self.command == "DELETE":
                    silence_id = self.path.rsplit("/", 1)[-1]
                    fake.silences.setdefault(silence_id, {})["state"] = "expired"
                    self._send(200, None)
                else:
                    self._send(200, fake.silences.get(self.path.rsplit("/", 1)[-1]))

            def _send(self, status, document):
                text = b"" if document is None else json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            do_POST = do_GET = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.daemon = True

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def methods(self):
        """The requests in words: ``create``, ``extend <id>``, ``expire <id>``."""
        words = []
        for method, path, _headers, body in self.requests:
            if method == "POST":
                words.append("extend" if body.get("id") else "create")
            else:
                words.append("%s %s" % (method, path))
        return words
