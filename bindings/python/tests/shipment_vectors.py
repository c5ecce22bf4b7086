"""The shipment ops of the vector runner (test_vectors.py), through the binding's
own API: each op builds a ShipmentPlanner from `options` (as the Rust runner
builds its planner first) and calls its method. `shipment_split` without stock is
also checked against `split_all` of the one order; `shipment_unmerge` merges the
orders first with `ShipmentPlanner.merge` when the vector gives no `merged` plan;
`shipment_triage` joins the mail verdict's facts (and, with `orders`, the order's
`merge_candidate` from `merge_candidates`) to the context and runs `triage`."""

import collections
import json

import ichigen

# Calls run, by (op, method): the runner goes through the typed methods.
USED = collections.Counter()


def arg(value):
    """A vector value as an argument: a JSON string value is passed as its JSON text
    (a str argument is read as JSON text); None stays None."""
    return json.dumps(value) if isinstance(value, str) else value


def planner(inp):
    return ichigen.ShipmentPlanner(arg(inp.get("options")))


def split(inp):
    p = planner(inp)
    order, stock = inp.get("order"), inp.get("stock")
    out = p.split(arg(order), arg(stock))
    USED["split"] += 1
    if stock is None:
        # The batch form plans the same order the same way.
        assert p.split_all([order]) == [out]
        USED["split_all"] += 1
    return out


def unmerge(inp):
    p = planner(inp)
    orders, facts, stock = (arg(inp.get(k)) for k in ("orders", "facts", "stock"))
    if "merged" in inp:
        merged = inp["merged"]
    else:
        merged = p.merge(orders, facts, stock)
        USED["merge"] += 1
    out = p.unmerge(arg(merged), orders, stock)
    USED["unmerge"] += 1
    return {"merged": merged, "plans": out["plans"]}


def triage(inp, now, rule_set):
    """The mail judgement's facts (and, with `orders`, the order's merge-candidate
    flag) join the given context; then triage reads them."""
    p = planner(inp)
    order = inp.get("order")
    mail = p.mail(arg(order))
    context = dict(inp["context"]) if isinstance(inp.get("context"), dict) else {}
    context.update(mail["facts"])
    if "orders" in inp:
        found = p.merge_candidates(arg(inp.get("orders")), arg(inp.get("facts")))
        order_id = order.get("id") if isinstance(order, dict) else None
        flag = (found["context"].get(order_id) or {}).get("merge_candidate", False)
        context["merge_candidate"] = flag
    out = ichigen.triage(rule_set(inp), arg(order), context, now=now)
    USED["triage"] += 1
    return {"mail": mail, "outcome": out["outcome"]}


def _call(method, *keys):
    def run(inp):
        out = getattr(planner(inp), method)(*(arg(inp.get(k)) for k in keys))
        USED[method] += 1
        return out

    return run


OPS = {
    "shipment_split": split,
    "shipment_mail": _call("mail", "order"),
    "shipment_merge_candidates": _call("merge_candidates", "orders", "facts"),
    "shipment_merge_check": _call("merge_check", "orders", "facts"),
    "shipment_merge": _call("merge", "orders", "facts", "stock"),
    "shipment_unmerge": unmerge,
}


def run_op(op, inp, now, rule_set):
    """The shipment ops; None for an op that is not one of them."""
    if op == "shipment_triage":
        return triage(inp, now, rule_set)
    run = OPS.get(op)
    return None if run is None else run(inp)
