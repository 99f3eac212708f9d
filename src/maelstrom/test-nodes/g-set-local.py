#!/usr/bin/env python3
# A WRONG Maelstrom node for the g-set workload.
# What it does: keeps the elements added through it and answers reads with them.
# What is wrong: it never tells the other nodes anything, so each node only knows its own adds. With
# clients spreading adds over the nodes, every node's final read lacks the elements added elsewhere,
# and the checker names the node and the missing elements.
import json
import sys

node_id = None
next_id = 0
elements = set()


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
    elif body["type"] == "add":
        elements.add(body["element"])
        send(msg["src"], {"type": "add_ok", "in_reply_to": body["msg_id"]})
    elif body["type"] == "read":
        send(msg["src"], {"type": "read_ok", "in_reply_to": body["msg_id"], "value": sorted(elements)})
