#!/usr/bin/env python3
"""A fake GitHub for the action tests (tests/action.rs), on 127.0.0.1 only.

Serves the parts of the REST API the action uses: issue comments (list, create, update), issue
events (who added a label, when), collaborator permission; and release downloads from a
directory. State lives in memory; every request is appended to a JSON-lines log so tests can
assert what the action asked for.

    fake_github.py STATE_DIR

STATE_DIR/config.json (read on every request, so a test can change behaviour between runs):
    {"events": [...], "permissions": {"login": "write"}, "deny_writes": false,
     "releases": "path/to/dir"}
The chosen port is written to STATE_DIR/port; the log is STATE_DIR/requests.jsonl; comments are
kept in STATE_DIR/comments.json.
"""
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]


def load(name, default):
    try:
        with open(os.path.join(STATE, name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save(name, value):
    with open(os.path.join(STATE, name), "w") as f:
        json.dump(value, f)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, body):
        entry = {
            "method": self.command,
            "path": self.path,
            "auth": self.headers.get("Authorization", ""),
            "body": body,
        }
        with open(os.path.join(STATE, "requests.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.record(body)
        config = load("config.json", {})
        path = self.path.split("?")[0]
        comments = load("comments.json", [])

        m = re.fullmatch(r"/download/(v[^/]+)/([^/]+)", path)
        if m and self.command == "GET":
            file = os.path.join(config.get("releases", ""), m.group(1), m.group(2))
            if os.path.isfile(file):
                with open(file, "rb") as f:
                    return self.reply(200, f.read(), "application/octet-stream")
            return self.reply(404, {"message": "Not Found"})

        if self.headers.get("Authorization") != "Bearer test-token":
            return self.reply(401, {"message": "Bad credentials"})

        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path)
        if m and self.command == "GET":
            return self.reply(200, [c for c in comments if c["issue"] == int(m.group(2))])
        if m and self.command == "POST":
            if config.get("deny_writes"):
                return self.reply(403, {"message": "Resource not accessible by integration"})
            c = {"id": 1000 + len(comments), "issue": int(m.group(2)), "body": body["body"]}
            comments.append(c)
            save("comments.json", comments)
            return self.reply(201, c)
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)
        if m and self.command == "PATCH":
            if config.get("deny_writes"):
                return self.reply(403, {"message": "Resource not accessible by integration"})
            for c in comments:
                if c["id"] == int(m.group(2)):
                    c["body"] = body["body"]
                    save("comments.json", comments)
                    return self.reply(200, c)
            return self.reply(404, {"message": "Not Found"})
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/events", path)
        if m and self.command == "GET":
            return self.reply(200, config.get("events", []))
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/collaborators/([^/]+)/permission", path)
        if m and self.command == "GET":
            perm = config.get("permissions", {}).get(m.group(2), "read")
            return self.reply(200, {"permission": perm, "user": {"login": m.group(2)}})
        return self.reply(404, {"message": "Not Found", "path": path})

    do_GET = do_POST = do_PATCH = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = os.path.join(STATE, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, os.path.join(STATE, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
