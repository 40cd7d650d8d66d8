#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for Elasticsearch's bulk API, for logship's tests and benchmarks (stdlib only).

No Elasticsearch can be installed here, so this server implements what the `elasticsearch` sink
talks to, as Elastic documents it:
  POST|PUT /_bulk and /<index>/_bulk   NDJSON action/source pairs (index, create), gzip bodies
      (Content-Encoding: gzip), `pipeline` and `filter_path` query parameters; the answer is
      {"took","errors","items":[{"<op>":{"_index","_id","status",("error":{"type","reason",...})}}]}
      with 409 version_conflict_engine_exception for `create` on an _id already stored.
  GET /                     cluster information, like Elasticsearch 8
  GET /_logship/docs        the accepted documents, NDJSON (also appended to DIR/docs.ndjson)
  GET /_logship/stats       requests, documents, bytes and this process's CPU seconds
  POST /_logship/control    replaces the injection settings (as DIR/control.json does)
over HTTP/1.1 with keep-alive, plain or TLS (optionally requiring a client certificate), with
authentication required when --auth is given (401 security_exception otherwise).

Injections, read from DIR/control.json whenever that file is replaced (write it elsewhere and
rename it over), or posted to /_logship/control; counters restart with each new setting:
  {"item_errors": [{"status": 429, "count": 3, "match": "text", "type": "...", "reason": "..."}],
       each rule answers the next `count` items (-1: every item) whose source line contains
       `match` (any item without it) with that status; rules are tried in order
   "request_errors": [{"status": 503, "count": 2}],   whole bulk requests answered so (with
       "body": "<html>…": that text instead of Elasticsearch's error JSON, as a proxy would)
   "drop": 2,                the next 2 bulk requests: connection closed, no answer
   "delay_ms": 200,          bulk answers wait this long (after storing what they accept)
   "slow": 1,                only the next 1 answer waits (default: every one)
   "max_body_bytes": 4096,   413 for bodies larger than this (as received)
   "auth": ["basic:u:p"]}    replaces the accepted credentials
Records, in DIR: docs.ndjson ({"_index","_id","op","pipeline","source"} per stored document),
requests.ndjson (per bulk request: path, query, headers, bytes, the client's port (one per
connection), status and per-item op, _index, _id, status and the source's message), stats.json
at exit.

--fast answers every bulk request with errors:false after counting its lines, without parsing or
storing: the benchmark's way to show how much of a run the server's own parsing costs.

The port goes to --port-file (written to a temporary name, then renamed). SIGTERM ends the
server; so does the parent's death (tests must not leave it behind).
"""

import argparse
import base64
import gzip
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import zlib

FORBIDDEN_INDEX_CHARS = set('\\/*?"<>| ,#:')

ITEM_ERRORS = {
    400: ("mapper_parsing_exception", "failed to parse field [status] of type [long] in document",
          {"type": "illegal_argument_exception", "reason": "For input string: \"x\""}),
    429: ("es_rejected_execution_exception",
          "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, "
          "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1, max_coordinating_and_"
          "primary_bytes=0]", None),
    500: ("illegal_state_exception", "test server: injected internal error", None),
    503: ("unavailable_shards_exception", "[logs][0] primary shard is not active Timeout: [1m]",
          None),
}


def es_error(status, etype, reason, **extra):
    err = {"root_cause": [{"type": etype, "reason": reason}], "type": etype, "reason": reason}
    err.update(extra)
    return {"error": err, "status": status}


def filter_value(value, paths):
    """Elasticsearch's filter_path: `paths` are lists of segments, '*' matches any key, arrays
    are looked through. Returns None when nothing is left."""
    if any(len(p) == 0 for p in paths):
        return value
    if isinstance(value, list):
        kept = [filter_value(v, paths) for v in value]
        kept = [v for v in kept if v is not None]
        return kept if kept else None
    if not isinstance(value, dict):
        return None
    out = {}
    for key, child in value.items():
        sub = [p[1:] for p in paths if p[0] == "*" or p[0] == key]
        if not sub:
            continue
        filtered = filter_value(child, sub)
        if filtered is not None:
            out[key] = filtered
    return out if out else None


class Control:
    """The injection settings and how much of each is used up. Thread-safe."""

    def __init__(self, path, auth):
        self.path = path
        self.default_auth = auth
        self.lock = threading.Lock()
        self.file_id = None
        self.apply({})

    def apply(self, settings):
        self.settings = settings
        self.item_rules = [dict(r, left=r.get("count", -1)) for r in settings.get("item_errors", [])]
        self.request_rules = [dict(r, left=r.get("count", 1))
                              for r in settings.get("request_errors", [])]
        self.drops_left = int(settings.get("drop", 0))
        self.delay = settings.get("delay_ms", 0) / 1000.0
        self.slow_left = int(settings.get("slow", -1))
        self.max_body = settings.get("max_body_bytes")
        self.auth = settings.get("auth", self.default_auth)

    def refresh(self):
        if not self.path:
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        file_id = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self.lock:
            if file_id == self.file_id:
                return
            with open(self.path, encoding="utf-8") as f:
                settings = json.load(f)
            self.file_id = file_id
            self.apply(settings)

    def set(self, settings):
        with self.lock:
            self.apply(settings)

    def take_delay(self):
        """Seconds the next answer waits."""
        with self.lock:
            if not self.delay or self.slow_left == 0:
                return 0
            if self.slow_left > 0:
                self.slow_left -= 1
            return self.delay

    def take_drop(self):
        with self.lock:
            if self.drops_left > 0:
                self.drops_left -= 1
                return True
            return False

    def take_request_error(self):
        with self.lock:
            for rule in self.request_rules:
                if rule["left"] != 0:
                    rule["left"] -= 1
                    return rule
            return None

    def take_item_error(self, source_line):
        with self.lock:
            for rule in self.item_rules:
                if rule["left"] == 0:
                    continue
                match = rule.get("match")
                if match is not None and match.encode() not in source_line:
                    continue
                if rule["left"] > 0:
                    rule["left"] -= 1
                return rule
            return None


class Store:
    """Accepted documents, in memory (for 409s) and in DIR/docs.ndjson. Thread-safe."""

    def __init__(self, directory):
        self.lock = threading.Lock()
        self.ids = set()
        self.next_id = 0
        self.docs = open(os.path.join(directory, "docs.ndjson"), "a", encoding="utf-8")
        self.requests = open(os.path.join(directory, "requests.ndjson"), "a", encoding="utf-8")
        self.stats = {"requests": 0, "bulk_requests": 0, "docs": 0, "bytes_in": 0,
                      "body_bytes": 0}

    def auto_id(self):
        with self.lock:
            self.next_id += 1
            return "auto-%d" % self.next_id

    def count(self, requests=0, bulk=0, docs=0, wire=0, body=0):
        with self.lock:
            self.stats["requests"] += requests
            self.stats["bulk_requests"] += bulk
            self.stats["docs"] += docs
            self.stats["bytes_in"] += wire
            self.stats["body_bytes"] += body

    def index(self, records):
        """Stores each (op, index, id, pipeline, source) unless `create` finds its _id taken.
        Returns one status per record: 201, 200 (an `index` over an existing _id) or 409."""
        statuses = []
        lines = []
        with self.lock:
            for op, index, doc_id, pipeline, source in records:
                key = (index, doc_id)
                if key in self.ids:
                    if op == "create":
                        statuses.append(409)
                        continue
                    statuses.append(200)
                else:
                    self.ids.add(key)
                    statuses.append(201)
                lines.append(json.dumps({"_index": index, "_id": doc_id, "op": op,
                                         "pipeline": pipeline, "source": source}) + "\n")
            if lines:
                self.docs.write("".join(lines))
                self.docs.flush()
            self.stats["docs"] += len(lines)
        return statuses

    def record(self, entry):
        with self.lock:
            self.requests.write(json.dumps(entry) + "\n")
            self.requests.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "es-bulk-test-server"
    disable_nagle_algorithm = True  # small answers would otherwise wait 40 ms for an ACK
    timeout = 120

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def handle(self):
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError) as e:
                sys.stderr.write("TLS handshake with %s failed: %s\n" % (self.client_address, e))
                self.close_connection = True
                return
        super().handle()

    # ---- plumbing ----

    def send_json(self, status, obj, headers=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_bytes(status, body, headers)

    def send_bytes(self, status, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-elastic-product", "Elasticsearch")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        return self.rfile.read(int(length))

    def authorized(self, auth_specs):
        if not auth_specs:
            return True, None
        header = self.headers.get("Authorization", "")
        for spec in auth_specs:
            kind, _, value = spec.partition(":")
            if kind == "api_key" and header == "ApiKey " + value:
                return True, None
            if kind == "basic" and header == "Basic " + base64.b64encode(value.encode()).decode():
                return True, None
            if kind == "bearer" and header == "Bearer " + value:
                return True, None
        if not header:
            return False, "missing authentication credentials for REST request [%s]" % self.path
        return False, "unable to authenticate with provided credentials and anonymous access " \
                      "is not allowed for this request"

    # ---- routes ----

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        self.server.store.count(requests=1)
        if path == "/":
            self.send_json(200, {"name": "es-bulk-test-server", "cluster_name": "logship-test",
                                 "version": {"number": "8.11.0", "distribution": "elasticsearch"},
                                 "tagline": "You Know, for Search"})
        elif path == "/_logship/docs":
            with open(os.path.join(self.server.directory, "docs.ndjson"), "rb") as f:
                self.send_bytes(200, f.read(), [("Content-Type", "application/x-ndjson")])
        elif path == "/_logship/stats":
            self.send_json(200, self.server.stats_snapshot())
        else:
            self.send_json(404, es_error(404, "index_not_found_exception", "no such index"))

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        split = urllib.parse.urlsplit(self.path)
        parts = [p for p in split.path.split("/") if p]
        query = dict(urllib.parse.parse_qsl(split.query))
        self.server.store.count(requests=1)
        if parts == ["_logship", "control"]:
            body = self.read_body() or b"{}"
            self.server.control.set(json.loads(body))
            self.send_json(200, {"acknowledged": True})
            return
        if not parts or parts[-1] != "_bulk" or len(parts) > 2:
            self.read_body()
            self.send_json(404, es_error(404, "illegal_argument_exception",
                                         "no handler found for uri [%s] and method [POST]" %
                                         split.path))
            return
        self.bulk(parts[0] if len(parts) == 2 else None, query)

    def bulk(self, path_index, query):
        server = self.server
        control = server.control
        control.refresh()
        wire = self.read_body()
        if wire is None:
            self.send_json(411, es_error(411, "parse_exception", "request body is required"))
            return
        server.store.count(bulk=1, wire=len(wire))
        record = {"path": self.path, "query": query, "bytes": len(wire),
                  "client_port": self.client_address[1], "headers": {
            k.lower(): self.headers.get(k) for k in
            ("Authorization", "Content-Type", "Content-Encoding", "User-Agent")
            if self.headers.get(k) is not None}}

        def answer(status, obj, headers=()):
            record["status"] = status
            if not server.fast:
                server.store.record(record)
            delay = control.take_delay()
            if delay:
                time.sleep(delay)
            self.send_json(status, obj, headers)

        ok, why = self.authorized(control.auth)
        if not ok:
            answer(401, es_error(401, "security_exception", why),
                   [("WWW-Authenticate", 'Basic realm="security", charset="UTF-8"'),
                    ("WWW-Authenticate", "ApiKey")])
            return
        if control.take_drop():
            record["status"] = 0
            server.store.record(record)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        rule = control.take_request_error()
        if rule is not None and "body" in rule:  # a proxy's answer, not Elasticsearch's
            record["status"] = rule["status"]
            server.store.record(record)
            self.send_bytes(rule["status"], rule["body"].encode(),
                            [("Content-Type", "text/html")])
            return
        if rule is not None:
            status = rule["status"]
            etype, reason, _ = ITEM_ERRORS.get(status, ("test_exception", "injected", None))
            answer(status, es_error(status, rule.get("type", etype), rule.get("reason", reason)))
            return
        if control.max_body is not None and len(wire) > control.max_body:
            answer(413, es_error(413, "content_too_long_exception",
                                 "entity content is too long [%d] for the configured buffer "
                                 "limit [%d]" % (len(wire), control.max_body)))
            return
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type not in ("application/json", "application/x-ndjson"):
            answer(406, es_error(406, "media_type_header_exception",
                                 "Content-Type header [%s] is not supported" % content_type))
            return
        body = wire
        if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
            try:
                body = gzip.decompress(wire)
            except (OSError, EOFError, zlib.error) as e:
                answer(400, es_error(400, "parse_exception", "bad gzip body: %s" % e))
                return
        server.store.count(body=len(body))
        if not body.endswith(b"\n"):
            answer(400, es_error(400, "illegal_argument_exception",
                                 "The bulk request must be terminated by a newline [\\n]"))
            return
        if server.fast:
            self.fast_answer(body, answer)
            return
        self.full_answer(body, path_index, query, record, answer)

    def fast_answer(self, body, answer):
        n = body.count(b"\n") // 2
        self.server.store.count(docs=n)
        took = b'{"took":1,"errors":false,"items":['
        items = b",".join([b'{"index":{"status":201}}'] * n)
        record_answer = b"]}"
        delay = self.server.control.take_delay()
        if delay:
            time.sleep(delay)
        self.send_bytes(200, took + items + record_answer)

    def full_answer(self, body, path_index, query, record, answer):
        control = self.server.control
        store = self.server.store
        lines = body.split(b"\n")[:-1]
        started = time.monotonic()
        items = []  # [op, index, id, status, error, message]
        to_store = []
        i = 0
        while i < len(lines):
            try:
                action = json.loads(lines[i])
                if not isinstance(action, dict) or len(action) != 1:
                    raise ValueError("expected one action")
            except ValueError:
                answer(400, es_error(400, "illegal_argument_exception",
                                     "Malformed action/metadata line [%d], expected "
                                     "START_OBJECT or END_OBJECT" % (i + 1)))
                return
            op, meta = next(iter(action.items()))
            if op not in ("index", "create") or not isinstance(meta, dict):
                answer(400, es_error(400, "illegal_argument_exception",
                                     "Malformed action/metadata line [%d], unsupported action "
                                     "[%s] (this test server knows index and create)" %
                                     (i + 1, op)))
                return
            if i + 1 >= len(lines):
                answer(400, es_error(400, "illegal_argument_exception",
                                     "Validation Failed: 1: no requests added;"))
                return
            source_line = lines[i + 1]
            i += 2
            index = meta.get("_index", path_index)
            doc_id = meta.get("_id")
            pipeline = meta.get("pipeline", query.get("pipeline"))
            item = {"op": op, "_index": index, "_id": doc_id}
            try:
                source = json.loads(source_line)
                item["message"] = source.get("message") if isinstance(source, dict) else None
            except ValueError:
                source = None
                item["message"] = None
            error = None
            if index is None:
                error = (400, "action_request_validation_exception",
                         "Validation Failed: 1: index is missing;", None)
            elif index != index.lower() or any(c in FORBIDDEN_INDEX_CHARS for c in index) or \
                    index[0] in "-_+":
                error = (400, "invalid_index_name_exception",
                         "Invalid index name [%s], must be lowercase and must not contain the "
                         "characters \\, /, *, ?, \", <, >, |, space, ',', #, :" % index, None)
            elif not isinstance(source, dict):
                error = (400, "mapper_parsing_exception", "failed to parse",
                         {"type": "not_x_content_exception",
                          "reason": "Compressor detection can only be called on some xcontent "
                                    "bytes or compressed xcontent bytes"})
            else:
                rule = control.take_item_error(source_line)
                if rule is not None:
                    etype, reason, cause = ITEM_ERRORS.get(rule["status"],
                                                           ("test_exception", "injected", None))
                    error = (rule["status"], rule.get("type", etype), rule.get("reason", reason),
                             None if "type" in rule else cause)
            if doc_id is None and error is None:
                doc_id = store.auto_id()
                item["_id"] = doc_id
            item["error"] = error
            if error is None:
                to_store.append((len(items), (op, index, doc_id, pipeline, source)))
            items.append(item)
        statuses = store.index([r for _, r in to_store])
        for (position, _), status in zip(to_store, statuses):
            items[position]["status"] = status
            if status == 409:
                items[position]["error"] = (
                    409, "version_conflict_engine_exception",
                    "[%s]: version conflict, document already exists (current version [1])" %
                    items[position]["_id"], None)
        answer_items = []
        errors = False
        for item in items:
            body = {"_index": item["_index"], "_id": item["_id"]}
            if item["error"] is not None:
                errors = True
                status, etype, reason, cause = item["error"]
                error = {"type": etype, "reason": reason, "index": item["_index"]}
                if cause is not None:
                    error["caused_by"] = cause
                body.update(status=status, error=error)
                item["status"] = status
            else:
                body.update(_version=1, result="created" if item["status"] == 201 else "updated",
                            _shards={"total": 1, "successful": 1, "failed": 0},
                            _seq_no=0, _primary_term=1, status=item["status"])
            answer_items.append({item["op"]: body})
            del item["error"]
        record["items"] = items
        response = {"took": int((time.monotonic() - started) * 1000), "errors": errors,
                    "items": answer_items}
        if "filter_path" in query:
            paths = [p.split(".") for p in query["filter_path"].split(",") if p]
            response = filter_value(response, paths) or {}
        answer(200, response)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def stats_snapshot(self):
        with self.store.lock:
            stats = dict(self.store.stats)
        times = os.times()
        stats["cpu_user_seconds"] = times.user
        stats["cpu_system_seconds"] = times.system
        stats["wall_seconds"] = time.monotonic() - self.started
        return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where records and control.json live")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="the bound port is written here (tmp + rename)")
    parser.add_argument("--cert", help="server certificate (PEM); TLS when given")
    parser.add_argument("--key", help="server private key (PEM)")
    parser.add_argument("--client-ca", help="require client certificates signed by this CA")
    parser.add_argument("--auth", action="append", default=[],
                        help="accepted credentials: api_key:VALUE, basic:USER:PASSWORD or "
                             "bearer:TOKEN (repeatable; none: no authentication)")
    parser.add_argument("--fast", action="store_true",
                        help="count lines and answer errors:false, without parsing or storing")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    server = Server((args.host, args.port), Handler)
    server.directory = args.dir
    server.verbose = args.verbose
    server.fast = args.fast
    server.started = time.monotonic()
    server.store = Store(args.dir)
    server.control = Control(os.path.join(args.dir, "control.json"), args.auth)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
        # Handshakes happen on each connection's own thread (Handler.handle), so a client that
        # stalls or fails its handshake never blocks accept().
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)

    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        stop()

    threading.Thread(target=watch_parent, daemon=True).start()
    sys.stderr.write("es_bulk_server: listening on %s:%d (%s)\n" %
                     (args.host, port, "https" if args.cert else "http"))
    sys.stderr.flush()
    server.serve_forever(poll_interval=0.2)
    with open(os.path.join(args.dir, "stats.json"), "w") as f:
        json.dump(server.stats_snapshot(), f)
    server.server_close()


if __name__ == "__main__":
    main()
