#!/usr/bin/env python3
# A Maelstrom node for the pn-counter workload, in Python (standard library only). Correct, and
# partition-tolerant: a PN-counter CRDT. Each node keeps, for every node, the sum of its positive
# deltas (P) and of its negated negative ones (N); it only ever raises its own entries. Every 200 ms
# it sends both maps to every other node, which merges them entry by entry with max. A read returns
# sum(P) - sum(N). What a partition or loss drops, a later round carries once the links work.
# (Not meant for kill -9: a restarted node's own entries start at 0 again, and the max merge hides
# the adds it takes before the others' gossip brings its old entries back.)
import json
import sys
import threading
import time

GOSSIP_EVERY_S = 0.2

lock = threading.Lock()
node_id = None
node_ids = []
next_id = 0
p = {}
n = {}


def send(dest, body):
    global next_id
    next_id += 1
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": {"msg_id": next_id, **body}}) + "\n")
    sys.stdout.flush()


def merge(mine, theirs):
    for k, v in theirs.items():
        if v > mine.get(k, 0):
            mine[k] = v


def gossip_forever():
    while True:
        time.sleep(GOSSIP_EVERY_S)
        with lock:
            if node_id is not None:
                for other in node_ids:
                    if other != node_id:
                        send(other, {"type": "state", "p": p, "n": n})


def handle(msg):
    global node_id, node_ids
    src, body = msg["src"], msg["body"]
    t = body["type"]
    if t == "init":
        node_id, node_ids = body["node_id"], body["node_ids"]
        send(src, {"type": "init_ok", "in_reply_to": body["msg_id"]})
    elif t == "add":
        d = body["delta"]
        if d >= 0:
            p[node_id] = p.get(node_id, 0) + d
        else:
            n[node_id] = n.get(node_id, 0) - d
        send(src, {"type": "add_ok", "in_reply_to": body["msg_id"]})
    elif t == "state":
        merge(p, body["p"])
        merge(n, body["n"])
    elif t == "read":
        send(src, {"type": "read_ok", "in_reply_to": body["msg_id"], "value": sum(p.values()) - sum(n.values())})


threading.Thread(target=gossip_forever, daemon=True).start()
for line in iter(sys.stdin.readline, ""):
    if line.strip():
        with lock:
            handle(json.loads(line))
