#!/usr/bin/env python3
# A WRONG Maelstrom node for the unique-ids workload.
# What it does: answers generate with a counter of its own, 0, 1, 2, ...
# What is wrong: the id does not include the node id, so every node hands out the same ids: n0's
# first id is 0 and so is n1's. Any run with two nodes that each answer a generate returns an id
# twice (the checker names it and the node that returned it the second time).
import json
import sys

node_id = None
next_id = 0
counter = 0


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
    elif body["type"] == "generate":
        send(msg["src"], {"type": "generate_ok", "in_reply_to": body["msg_id"], "id": counter})
        counter += 1
