//! The JSON face of shipment planning, shared by the bindings and the vectors.
//! Orders are validated as [`parse_order_value`] does; the options are a
//! [`ShipmentPolicy`]; reservations a list of [`Reservation`]s; facts an object
//! from order id to [`OrderFacts`]. Errors carry paths below `$` of the options,
//! `$.order`, `$.orders[i]`, `$.stock[i]` and `$.facts.<id>`.
//!
//! ```
//! use ichigen_core::shipment::json;
//! use serde_json::json;
//! let planner = json::planner(json!({"split_by": ["temperature_zone"], "fees": "proportional"}))?;
//! let mut order: serde_json::Value = serde_json::from_str(ichigen_core::sample::ORDER_JSON).unwrap();
//! order["lines"][1]["temperature"] = json!("chilled");
//! let plan = json::split(&planner, order, json!(null))?;
//! assert_eq!(plan["shipments"].as_array().unwrap().len(), 2);
//! assert_eq!(plan["shipments"][1]["caused_by"], json!(["temperature_zone"]));
//! assert_eq!(plan["total"]["total"], "5390");
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use serde_json::{Map, Value, json};

use super::merge::same_money;
use super::{
    OrderFacts, Planner, Reservation, ShipmentMoney, ShipmentPlan, ShipmentPolicy, decode,
};
use crate::error::{Error, Issue, issues_under};
use crate::ids::OrderId;
use crate::order::Order;
use crate::validate::parse_order_value;

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A planner from JSON options (`null` for the defaults).
pub fn planner(options: Value) -> Result<Planner, Error> {
    let policy: ShipmentPolicy = if options.is_null() {
        ShipmentPolicy::default()
    } else {
        decode(options, "$")?
    };
    Planner::new(policy)
}

/// Parses an order, its issues' paths below `at` (`$.order`, `$.orders[2]`).
pub fn order_at(value: Value, at: &str) -> Result<Order, Error> {
    parse_order_value(value).map_err(|e| match e {
        Error::InvalidOrder(issues) => Error::InvalidOrder(issues_under(issues, at)),
        other => other,
    })
}

fn orders_at(value: Value) -> Result<Vec<Order>, Error> {
    let Value::Array(items) = value else {
        return Err(not_orders());
    };
    let mut out = Vec::with_capacity(items.len());
    let mut issues = Vec::new();
    for (i, v) in items.into_iter().enumerate() {
        match order_at(v, &format!("$.orders[{i}]")) {
            Ok(o) => out.push(o),
            Err(e) => issues.extend(e.issues().iter().cloned()),
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(Error::InvalidOrder(issues))
    }
}

/// Reservations from JSON: `null` for none, a list of [`Reservation`]s in line
/// units, or what the stock book answers for orders (an object with `reserved`
/// and `backordered`, in units of each SKU), turned into line units by
/// [`Reservation::from_stock`] for each of `orders`.
pub fn reservations_for(stock: Value, orders: &[&Order]) -> Result<Vec<Reservation>, Error> {
    match stock {
        Value::Null => Ok(Vec::new()),
        answer @ Value::Object(_) => {
            /// What the stock book's reserve answers; its other fields are ignored.
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Answer {
                #[serde(default)]
                reserved: Vec<crate::stock::Reservation>,
                #[serde(default)]
                backordered: Vec<crate::stock::Backorder>,
                #[serde(default, rename = "completed_orders")]
                _completed: serde::de::IgnoredAny,
                #[serde(default, rename = "facts")]
                _facts: serde::de::IgnoredAny,
            }
            let a: Answer = decode(answer, "$.stock")?;
            Ok(orders
                .iter()
                .flat_map(|o| Reservation::from_stock(&a.reserved, &a.backordered, o))
                .collect())
        }
        other => decode(other, "$.stock"),
    }
}

/// Facts from JSON (an object from order id to facts, or `null`), one per order.
pub fn facts_for(facts: Value, orders: &[Order]) -> Result<Vec<OrderFacts>, Error> {
    if facts.is_null() {
        return Ok(Vec::new());
    }
    let map: std::collections::BTreeMap<String, Value> = decode(facts, "$.facts")?;
    let mut out = vec![OrderFacts::default(); orders.len()];
    let mut issues = Vec::new();
    for (id, v) in map {
        let mut path = String::from("$.facts");
        crate::error::push_key(&mut path, &id);
        match orders.iter().position(|o| o.id.as_str() == id) {
            None => issues.push(Issue::new(
                "SHIPMENT_UNKNOWN_ORDER",
                path,
                "no order given has this id",
            )),
            Some(i) => match decode::<OrderFacts>(v, &path) {
                Ok(f) => out[i] = f,
                Err(e) => issues.extend(e.issues().iter().cloned()),
            },
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(Error::InvalidShipment(issues))
    }
}

/// A plan as JSON: order ids for order indexes, each line with its listing code
/// and SKU, and the plan's `total`.
pub fn plan_value(plan: &ShipmentPlan, orders: &[&Order]) -> Value {
    let order_of = |i: u32| -> &Order {
        let id = &plan.orders[i as usize];
        orders
            .iter()
            .find(|o| &o.id == id)
            .copied()
            .unwrap_or(orders[0])
    };
    let shipments: Vec<Value> = plan
        .shipments
        .iter()
        .map(|s| {
            let mut v = to_value(s);
            let lines: Vec<Value> = s
                .lines
                .iter()
                .map(|l| {
                    let o = order_of(l.order);
                    let ol = &o.lines[l.line as usize];
                    let mut m = Map::new();
                    m.insert("order".into(), json!(o.id));
                    m.insert("line".into(), json!(l.line));
                    m.insert("listing_code".into(), json!(ol.listing_code));
                    if let Some(sku) = &ol.sku {
                        m.insert("sku".into(), json!(sku));
                    }
                    m.insert("quantity".into(), json!(l.quantity));
                    m.insert("amount".into(), to_value(&l.amount.to_string()));
                    Value::Object(m)
                })
                .collect();
            v["lines"] = Value::Array(lines);
            if let Some(parts) = v.get_mut("parts").and_then(Value::as_array_mut) {
                for p in parts {
                    let i = p["order"].as_u64().unwrap_or(0) as u32;
                    p["order"] = json!(plan.orders[i as usize]);
                }
            }
            v
        })
        .collect();
    json!({
        "orders": plan.orders,
        "currency": plan.currency,
        "shipments": shipments,
        "total": plan.total(),
    })
}

/// Splits an order (`{"orders", "currency", "shipments", "total"}`).
pub fn split(planner: &Planner, order: Value, stock: Value) -> Result<Value, Error> {
    let order = order_at(order, "$.order")?;
    let stock = reservations_for(stock, &[&order])?;
    let plan = planner.split(&order, &stock)?;
    Ok(plan_value(&plan, &[&order]))
}

/// Splits each of a list of orders with no stock: one plan per order, in order.
/// A bad order stops the batch with its error at `$.orders[i]…`; anything but a
/// list is `SHIPMENT_WRONG_TYPE` at `$.orders`.
pub fn split_all(planner: &Planner, orders: Value) -> Result<Value, Error> {
    let Value::Array(items) = orders else {
        return Err(not_orders());
    };
    let mut plans = Vec::with_capacity(items.len());
    for (i, v) in items.into_iter().enumerate() {
        let order = order_at(v, &format!("$.orders[{i}]"))?;
        let plan = planner.split(&order, &[])?;
        plans.push(plan_value(&plan, &[&order]));
    }
    Ok(Value::Array(plans))
}

fn not_orders() -> Error {
    Error::InvalidShipment(vec![Issue::new(
        "SHIPMENT_WRONG_TYPE",
        "$.orders",
        "expected an array of orders",
    )])
}

/// The mail-packet judgement of an order, with its triage `facts`.
pub fn mail(planner: &Planner, order: Value) -> Result<Value, Error> {
    let order = order_at(order, "$.order")?;
    let v = planner.mail(&order);
    let mut out = to_value(&v);
    out["facts"] = to_value(&v.facts());
    Ok(out)
}

/// Merge candidates among orders: `{groups: [{parent, orders}], excluded:
/// [{order, index, reason, issues?}], context: {id: {merge_candidate}}, merged:
/// [plan]}`. An exclusion names the order by id (`null` for an invalid order
/// without a readable one) and by its index in `orders`.
/// An order that does not validate is excluded with reason `invalid` and its
/// issues; the others are searched. With `auto_merge`, every group is merged
/// (`merged`) and nobody needs to decide (`merge_candidate` false).
pub fn merge_candidates(planner: &Planner, orders: Value, facts: Value) -> Result<Value, Error> {
    let Value::Array(items) = orders else {
        return Err(not_orders());
    };
    let mut good: Vec<Order> = Vec::with_capacity(items.len());
    let mut index: Vec<usize> = Vec::with_capacity(items.len());
    let mut excluded: Vec<(usize, Value)> = Vec::new();
    for (i, v) in items.into_iter().enumerate() {
        let v_id = v.get("id").filter(|x| x.is_string()).cloned();
        match order_at(v, &format!("$.orders[{i}]")) {
            Ok(o) => {
                good.push(o);
                index.push(i);
            }
            Err(e) => {
                // The id, when the order has a readable one.
                let id = v_id.unwrap_or(Value::Null);
                excluded.push((
                    i,
                    json!({"order": id, "index": i, "reason": "invalid", "issues": e.issues()}),
                ))
            }
        }
    }
    let facts = facts_for(facts, &good)?;
    let found = planner.merge_candidates(&good, &facts);
    for e in &found.excluded {
        excluded.push((
            index[e.order as usize],
            json!({
                "order": good[e.order as usize].id,
                "index": index[e.order as usize],
                "reason": e.reason,
            }),
        ));
    }
    excluded.sort_by_key(|e| e.0);
    let auto = planner.policy().auto_merge;
    let flags = found.flags(good.len());
    let mut context = Map::new();
    for (o, flag) in good.iter().zip(flags) {
        context.insert(o.id.to_string(), json!({"merge_candidate": !auto && flag}));
    }
    let groups: Vec<Value> = found
        .groups
        .iter()
        .map(|g| {
            json!({
                "parent": good[g.parent as usize].id,
                "orders": g.orders.iter().map(|&i| &good[i as usize].id).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut merged = Vec::new();
    if auto {
        for g in &found.groups {
            let os: Vec<&Order> = g.orders.iter().map(|&i| &good[i as usize]).collect();
            let fs: Vec<OrderFacts> = g
                .orders
                .iter()
                .map(|&i| facts.get(i as usize).cloned().unwrap_or_default())
                .collect();
            let plan = planner.merge(&os, &fs, &[])?;
            merged.push(plan_value(&plan, &os));
        }
    }
    Ok(json!({
        "groups": groups,
        "excluded": excluded.into_iter().map(|e| e.1).collect::<Vec<_>>(),
        "context": context,
        "merged": merged,
    }))
}

/// Whether two orders may ship together: `{mergeable, differs}`.
pub fn merge_check(planner: &Planner, orders: Value, facts: Value) -> Result<Value, Error> {
    let orders = orders_at(orders)?;
    let [a, b] = orders.as_slice() else {
        return Err(Error::InvalidShipment(vec![Issue::new(
            "SHIPMENT_WRONG_TYPE",
            "$.orders",
            "expected exactly two orders",
        )]));
    };
    let facts = facts_for(facts, &orders)?;
    let none = OrderFacts::default();
    let (ok, why) = planner.merge_check(
        a,
        b,
        [
            facts.first().unwrap_or(&none),
            facts.get(1).unwrap_or(&none),
        ],
    );
    Ok(json!({"mergeable": ok, "differs": why}))
}

/// Merges orders into one consignment and plans it (the parent first).
pub fn merge(planner: &Planner, orders: Value, facts: Value, stock: Value) -> Result<Value, Error> {
    let orders = orders_at(orders)?;
    let facts = facts_for(facts, &orders)?;
    let refs: Vec<&Order> = orders.iter().collect();
    let stock = reservations_for(stock, &refs)?;
    let plan = planner.merge(&refs, &facts, &stock)?;
    Ok(plan_value(&plan, &refs))
}

/// Undoes a merge: `merged` is the plan [`merge`] returned (its `orders` and the
/// shipments' `money` are read); the answer is `{plans: [plan per order]}`.
pub fn unmerge(
    planner: &Planner,
    merged: Value,
    orders: Value,
    stock: Value,
) -> Result<Value, Error> {
    let ids: Vec<OrderId> = decode(merged["orders"].clone(), "$.merged.orders")?;
    let mut total = ShipmentMoney::default();
    match merged.get("shipments") {
        Some(Value::Array(ships)) => {
            for (i, s) in ships.iter().enumerate() {
                let m: ShipmentMoney = decode(
                    s["money"].clone(),
                    &format!("$.merged.shipments[{i}].money"),
                )?;
                total.add(&m);
            }
        }
        _ => {
            return Err(Error::InvalidShipment(vec![Issue::new(
                "SHIPMENT_MISSING_VALUE",
                "$.merged.shipments",
                "expected the merged plan's shipments",
            )]));
        }
    }
    let orders = orders_at(orders)?;
    let refs: Vec<&Order> = orders.iter().collect();
    let stock = reservations_for(stock, &refs)?;
    let plans = planner.unmerge(&ids, &total, &refs, &stock)?;
    debug_assert!({
        let mut s = ShipmentMoney::default();
        for p in &plans {
            s.add(&p.total());
        }
        same_money(&s, &total)
    });
    Ok(json!({
        "plans": plans
            .iter()
            .map(|p| {
                let o: Vec<&Order> = refs.iter().copied().filter(|o| o.id == p.orders[0]).collect();
                plan_value(p, &o)
            })
            .collect::<Vec<_>>(),
    }))
}
