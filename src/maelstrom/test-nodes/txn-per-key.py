#!/usr/bin/env python3
# A WRONG Maelstrom node for txn-list-append and txn-rw-register: each micro-operation goes to lin-kv
# on its own (a read of the key, a write, or a read and a compare-and-set of the key for an append). Every single key is
# linearizable, but a transaction is not atomic: another transaction's appends can land between two
# of its operations, which shows up as G-single and G2 cycles (read skew, write skew).
import json, sys, threading, itertools, queue

node_id = None
counter = itertools.count(1)
lock = threading.Lock()
waiting = {}

def emit(dest, body):
    with lock:
        body = dict(body)
        body.setdefault("msg_id", next(counter))
        sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
        sys.stdout.flush()

def call(dest, body):
    q = queue.Queue()
    with lock:
        mid = next(counter)
        waiting[mid] = q
    emit(dest, dict(body, msg_id=mid))
    return q.get()

def read(key):
    r = call("lin-kv", {"type": "read", "key": f"k{key}"})
    return r["value"] if r["type"] == "read_ok" else None

def append(key, element):
    while True:
        cur = read(key)
        new = (cur or []) + [element]
        r = call("lin-kv", {"type": "cas", "key": f"k{key}", "from": cur, "to": new, "create_if_not_exists": True})
        if r["type"] == "cas_ok":
            return

def transact(src, body):
    out = []
    for f, k, v in body["txn"]:
        if f == "r":
            out.append(["r", k, read(k)])
        elif f == "w":
            call("lin-kv", {"type": "write", "key": f"k{k}", "value": v})
            out.append(["w", k, v])
        else:
            append(k, v)
            out.append(["append", k, v])
    emit(src, {"type": "txn_ok", "in_reply_to": body["msg_id"], "txn": out})

for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if "in_reply_to" in body and body["in_reply_to"] in waiting:
        with lock:
            q = waiting.pop(body["in_reply_to"])
        q.put(body)
    elif body["type"] == "init":
        node_id = body["node_id"]
        emit(msg["src"], {"type": "init_ok", "in_reply_to": body["msg_id"]})
    elif body["type"] == "txn":
        threading.Thread(target=transact, args=(msg["src"], body), daemon=True).start()
