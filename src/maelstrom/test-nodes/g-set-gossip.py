#!/usr/bin/env python3
# A Maelstrom node for the g-set workload: a grow-only set CRDT that gossips its whole set to every
# other node once every few seconds (5 by default, --every S), as Maelstrom's CRDT demos do. Merging
# is a union, so once the faults heal and one round of gossip has gone, every node holds every
# element. Correct, provided the test waits long enough after the heal (Maelstrom waits 10 s).
#
# Its gossip bodies are not RPCs: {"gossip": [...], "in_reply_to": null}, no type, no msg_id. That is
# allowed between nodes.
import json
import os
import select
import sys
import time

every_s = float(sys.argv[sys.argv.index("--every") + 1]) if "--every" in sys.argv else 5.0
node_id = None
peers = []
next_id = 0
elements = set()


def send(dest, body):
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()


def reply(dest, request, body):
    global next_id
    next_id += 1
    send(dest, {"msg_id": next_id, "in_reply_to": request["msg_id"], **body})


def handle(msg):
    global node_id, peers
    body = msg["body"]
    if "gossip" in body:
        elements.update(body["gossip"])
    elif body["type"] == "init":
        node_id = body["node_id"]
        peers = [n for n in body["node_ids"] if n != node_id]
        reply(msg["src"], body, {"type": "init_ok"})
    elif body["type"] == "add":
        elements.add(body["element"])
        reply(msg["src"], body, {"type": "add_ok"})
    elif body["type"] == "read":
        reply(msg["src"], body, {"type": "read_ok", "value": sorted(elements)})


# Unbuffered reads of stdin: select() must not miss lines a buffered reader already holds.
pending = b""
next_gossip = time.monotonic() + every_s
while True:
    ready, _, _ = select.select([0], [], [], max(0.0, next_gossip - time.monotonic()))
    if ready:
        chunk = os.read(0, 65536)
        if chunk == b"":
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                handle(json.loads(line))
    if time.monotonic() >= next_gossip:
        next_gossip = time.monotonic() + every_s
        if node_id is not None:
            for peer in peers:
                send(peer, {"gossip": sorted(elements), "in_reply_to": None})
