#!/usr/bin/env python3
# A Maelstrom node for the lin-kv workload that forwards, as Maelstrom's Python Raft demo does: every
# client request reaching a node other than the first (node_ids[0], the "leader") is passed on to it
# unchanged, with the client still as src, so the leader answers the client directly. The leader
# holds the only copy of the map, so the store is linearizable. Correct.
#
# With --stale-reads it is WRONG: the leader also pushes changes to the others, batched (the latest
# change goes out with the next one), and they answer reads from their own copy. A read that starts
# after a write was acknowledged can still return the old value: not linearizable.
import json
import sys

stale_reads = "--stale-reads" in sys.argv[1:]
node_id = None
leader = None
others = []
next_id = 0
store = {}
unsent = {}  # the latest change, held until the next one (the replication batch)


def emit(src, dest, body):
    sys.stdout.write(json.dumps({"src": src, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()


def reply(dest, request, body):
    global next_id
    next_id += 1
    emit(node_id, dest, {"msg_id": next_id, "in_reply_to": request["msg_id"], **body})


def error(dest, request, code, text):
    reply(dest, request, {"type": "error", "code": code, "text": text})


def apply(client, body):
    key = str(body["key"])
    if body["type"] == "read":
        if key not in store:
            return error(client, body, 20, "key does not exist")
        return reply(client, body, {"type": "read_ok", "value": store[key]})
    if body["type"] == "write":
        store[key] = body["value"]
        changed(key)
        return reply(client, body, {"type": "write_ok"})
    if key not in store:
        return error(client, body, 20, "key does not exist")
    if store[key] != body["from"]:
        return error(client, body, 22, "expected %r, have %r" % (body["from"], store[key]))
    store[key] = body["to"]
    changed(key)
    reply(client, body, {"type": "cas_ok"})


def changed(key):
    global unsent
    if stale_reads:
        for k, v in unsent.items():
            for other in others:
                emit(node_id, other, {"type": "changed", "key": k, "value": v})
        unsent = {key: store[key]}


for line in iter(sys.stdin.readline, ""):
    if not line.strip():
        continue
    msg = json.loads(line)
    src, body = msg["src"], msg["body"]
    kind = body.get("type")
    if kind == "init":
        node_id = body["node_id"]
        leader = body["node_ids"][0]
        others = [n for n in body["node_ids"] if n != node_id]
        reply(src, body, {"type": "init_ok"})
    elif kind == "changed":
        store[body["key"]] = body["value"]
    elif kind in ("read", "write", "cas"):
        if node_id == leader or (stale_reads and kind == "read"):
            apply(src, body)
        else:
            # The client's own message, src and msg_id untouched: the leader's reply goes straight to it.
            emit(src, leader, body)
    else:
        error(src, body, 10, "no %s here" % kind)
