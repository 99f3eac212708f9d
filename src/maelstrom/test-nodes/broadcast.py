#!/usr/bin/env python3
# A Maelstrom node for the broadcast workload, in Python (standard library only). Correct, and
# partition-tolerant: it keeps every message it has seen and gossips each one to its neighbours in
# the topology (or to every other node, if it never got a topology, e.g. after a restart) until that
# neighbour acknowledges it. Unacknowledged messages are resent in batches every 200 ms, so what a
# partition drops arrives once it heals. (Not meant for kill -9: a restarted node starts empty, and
# its neighbours do not resend what it had acknowledged before.)
#
# Between nodes: {"type": "gossip", "messages": [...]} answered by {"type": "gossip_ok", "messages":
# [...]} (the ones received), which the sender then stops resending to that neighbour.
import json
import sys
import threading
import time

RESEND_EVERY_S = 0.2

lock = threading.Lock()
node_id = None
node_ids = []
neighbours = None
next_id = 0
messages = set()
unacked = {}  # neighbour -> set of messages it has not acknowledged


def send(dest, body):
    global next_id
    next_id += 1
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": {"msg_id": next_id, **body}}) + "\n")
    sys.stdout.flush()


def peers():
    return neighbours if neighbours is not None else [n for n in node_ids if n != node_id]


def learn(new, came_from):
    """Keep the new messages, queue them for every neighbour but the one they came from."""
    fresh = [m for m in new if m not in messages]
    for m in fresh:
        messages.add(m)
    for n in peers():
        if n != came_from and fresh:
            unacked.setdefault(n, set()).update(fresh)
            send(n, {"type": "gossip", "messages": fresh})


def resend_forever():
    while True:
        time.sleep(RESEND_EVERY_S)
        with lock:
            for n, pending in unacked.items():
                if pending:
                    send(n, {"type": "gossip", "messages": sorted(pending)})


def handle(msg):
    global node_id, node_ids, neighbours
    src, body = msg["src"], msg["body"]
    t = body["type"]
    if t == "init":
        node_id, node_ids = body["node_id"], body["node_ids"]
        send(src, {"type": "init_ok", "in_reply_to": body["msg_id"]})
    elif t == "topology":
        neighbours = [n for n in body["topology"].get(node_id, []) if n != node_id]
        send(src, {"type": "topology_ok", "in_reply_to": body["msg_id"]})
    elif t == "broadcast":
        learn([body["message"]], src)
        send(src, {"type": "broadcast_ok", "in_reply_to": body["msg_id"]})
    elif t == "gossip":
        learn(body["messages"], src)
        send(src, {"type": "gossip_ok", "in_reply_to": body["msg_id"], "messages": body["messages"]})
    elif t == "gossip_ok":
        unacked.get(src, set()).difference_update(body["messages"])
    elif t == "read":
        send(src, {"type": "read_ok", "in_reply_to": body["msg_id"], "messages": sorted(messages)})


threading.Thread(target=resend_forever, daemon=True).start()
for line in iter(sys.stdin.readline, ""):
    if line.strip():
        with lock:
            handle(json.loads(line))
