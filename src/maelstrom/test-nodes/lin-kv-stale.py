#!/usr/bin/env python3
# A WRONG Maelstrom node for the lin-kv workload.
# What it does: writes and cas go to the lin-kv service (and their outcome is relayed to the client,
# errors included); a successful write or cas also updates a local cache. Reads are answered from
# that cache; a key not cached yet is read from lin-kv once and cached. Every 1.5 s a thread
# refreshes every cached key from lin-kv.
# What is wrong: the cache only learns of this node's own writes. After another node writes a key,
# this node keeps answering reads with the old value until the next refresh: stale reads, which no
# linearizable order explains (the checker names the key and the read). It looks right to anyone
# testing it with a single node, or reading soon after writing through the same node.
import json
import sys
import threading
import time

REFRESH_EVERY_S = 1.5

lock = threading.Lock()
node_id = None
next_id = 0
cache = {}  # key (JSON text) -> value
waiting = {}  # our msg_id -> what to do with lin-kv's reply


def send(dest, body):
    global next_id
    next_id += 1
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": {**body, "msg_id": next_id}}) + "\n")
    sys.stdout.flush()
    return next_id


def to_lin_kv(request, then):
    waiting[send("lin-kv", request)] = then


def relay(client, client_msg_id, on_ok=None):
    def then(reply):
        if reply["type"] != "error" and on_ok is not None:
            on_ok(reply)
        out = {k: v for k, v in reply.items() if k != "msg_id"}
        out["in_reply_to"] = client_msg_id
        send(client, out)

    return then


def refresh_forever():
    while True:
        time.sleep(REFRESH_EVERY_S)
        with lock:
            for k in list(cache):
                key = json.loads(k)

                def store(reply, k=k):
                    if reply["type"] == "read_ok":
                        cache[k] = reply["value"]

                to_lin_kv({"type": "read", "key": key}, store)


def handle(msg):
    global node_id
    src, body = msg["src"], msg["body"]
    t = body["type"]
    if src == "lin-kv":
        then = waiting.pop(body.get("in_reply_to"), None)
        if then is not None:
            then(body)
        return
    if t == "init":
        node_id = body["node_id"]
        send(src, {"type": "init_ok", "in_reply_to": body["msg_id"]})
        return
    k = json.dumps(body.get("key"))
    if t == "read":
        if k in cache:
            send(src, {"type": "read_ok", "in_reply_to": body["msg_id"], "value": cache[k]})
        else:
            to_lin_kv({"type": "read", "key": body["key"]}, relay(src, body["msg_id"], lambda r: cache.__setitem__(k, r["value"])))
    elif t == "write":
        v = body["value"]
        to_lin_kv({"type": "write", "key": body["key"], "value": v}, relay(src, body["msg_id"], lambda r: cache.__setitem__(k, v)))
    elif t == "cas":
        to = body["to"]
        request = {"type": "cas", "key": body["key"], "from": body["from"], "to": to}
        if "create_if_not_exists" in body:
            request["create_if_not_exists"] = body["create_if_not_exists"]
        to_lin_kv(request, relay(src, body["msg_id"], lambda r: cache.__setitem__(k, to)))
    else:
        send(src, {"type": "error", "in_reply_to": body.get("msg_id"), "code": 10, "text": "not supported: " + t})


threading.Thread(target=refresh_forever, daemon=True).start()
for line in iter(sys.stdin.readline, ""):
    if line.strip():
        with lock:
            handle(json.loads(line))
