#!/usr/bin/env python3
# A Maelstrom node for the echo workload, in Python (standard library only): answers init with
# init_ok and every echo with echo_ok carrying the same payload. Correct.
import json
import sys

node_id = None
next_id = 0


def send(dest, body):
    global next_id
    next_id += 1
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": {"msg_id": next_id, **body}}) + "\n")
    sys.stdout.flush()


for line in iter(sys.stdin.readline, ""):
    if not line.strip():
        continue
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        node_id = body["node_id"]
        send(msg["src"], {"type": "init_ok", "in_reply_to": body["msg_id"]})
    elif body["type"] == "echo":
        send(msg["src"], {"type": "echo_ok", "in_reply_to": body["msg_id"], "echo": body["echo"]})
