#!/usr/bin/env python3
"""A stand-in for the trove CLI, used as TROVE_BIN by test_protocol.py: it speaks the
`trove exp serve` line protocol (docs/experiments.md) from a table kept in memory and logs
every request to $FAKE_TROVE_LOG (one JSON line each), so the client's side of the protocol
is tested without the real server. `--json remote list` answers no remotes; `--json status`
succeeds. Checkpoint of a path that does not exist answers NOT_FOUND, as the real one does.
"""
import json
import os
import sys
import uuid

LOG = os.environ.get("FAKE_TROVE_LOG")


def log(obj):
    if LOG:
        with open(LOG, "a") as f:
            f.write(json.dumps(obj) + "\n")


def reply(rid, result=None, error=None):
    msg = {"id": rid, "ok": error is None}
    if error is None:
        msg["result"] = result
    else:
        msg["error"] = error
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def serve():
    runs = {}
    if os.environ.get("FAKE_TROVE_PROTOCOL") == "99":
        proto = 99
    else:
        proto = 1
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        log(req)
        rid, op = req.get("id"), req.get("op")
        if op == "hello":
            print("fake trove: hello", file=sys.stderr)
            reply(rid, {"protocol": proto, "trove": "0.0.0-fake"})
        elif op == "init":
            eid = uuid.uuid4().hex
            rec = {"trove-experiment": 1, "id": eid, "created": "2026-12-06T00:00:00Z", "params": req.get("params"),
                   "command": req.get("command"), "host": "h", "user": "u", "python": req.get("python"),
                   "packages": req.get("packages"), "code": {"commit": None, "path": req.get("path"), "dirty": None},
                   "data": [], "primary_metric": None}
            runs[eid] = {"record": rec, "checkpoints": []}
            reply(rid, {"experiment": rec})
        elif op == "checkpoint":
            run = runs.get(req.get("experiment"))
            if run is None:
                reply(rid, error={"code": "NOT_FOUND", "message": "no such run", "hint": None, "data": None})
                continue
            path = req.get("path")
            if path is not None and not os.path.exists(path):
                reply(rid, error={"code": "NOT_FOUND", "message": "%s does not exist" % path, "hint": "check the path", "data": {"path": path}})
                continue
            if req.get("step") == 666:
                sys.exit(3)  # the server dies mid-run
            ck = {"id": uuid.uuid4().hex, "step": req.get("step"), "created": "2026-12-06T00:00:01Z",
                  "metrics": req.get("metrics") or {}, "path": path,
                  "data": None if path is None else {"kind": "file", "oid": "sha256:" + "0" * 64, "size": 1, "files": None}}
            run["checkpoints"].append(ck)
            reply(rid, {"checkpoint": ck})
        elif op == "stop":
            run = runs.pop(req.get("experiment"), None)
            reply(rid, {"experiment": {"id": req.get("experiment"), "status": "stopped",
                                       "checkpoints": len(run["checkpoints"]) if run else 0}, "pushed": False, "pending": 0})
        else:
            reply(rid, error={"code": "USAGE", "message": "unknown op %s" % op, "hint": None, "data": None})
    log({"eof": True, "open": sorted(runs)})


def main():
    args = sys.argv[1:]
    if args[:2] == ["exp", "serve"]:
        serve()
        return
    if args and args[0] == "--json":
        args = args[1:]
        log({"argv": args})
        if args[:2] == ["remote", "list"]:
            print(json.dumps({"version": 1, "command": "remote", "ok": True, "result": {"action": "list", "remotes": []}}))
            return
        if args[:2] == ["remote", "add"]:
            print(json.dumps({"version": 1, "command": "remote", "ok": True, "result": {"action": "add", "name": args[-2], "message": ""}}))
            return
        if args[:1] == ["status"]:
            print(json.dumps({"version": 1, "command": "status", "ok": True, "result": {}}))
            return
        sys.stderr.write(json.dumps({"version": 1, "command": args[0], "ok": False,
                                     "error": {"code": "NOT_FOUND", "message": "fake", "hint": "h", "data": {"argv": args}}}) + "\n")
        sys.exit(1)
    sys.stderr.write("fake trove: unknown arguments %r\n" % (args,))
    sys.exit(2)


if __name__ == "__main__":
    main()
