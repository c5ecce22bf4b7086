//! Shipment planning (伝票分割・同梱・メール便判定): the `ShipmentPlanner` class,
//! `largestRemainder` and `builtinProfiles`.
//!
//! Everything goes through the core's JSON face (`ichigen::shipment::json`):
//! options, orders, reservations, facts and results are the core's JSON (snake_case
//! keys, money as strings). A planner is built once from the options (checked then:
//! `SHIPMENT_INVALID` at `$.items[0].sku`…) and is immutable, so one planner serves
//! any number of calls. A bad order throws `ORDER_INVALID` with its issues at
//! `$.order…` (or `$.orders[i]…` among several); reservations, facts and merge or
//! unmerge refusals throw `SHIPMENT_INVALID` (`$.stock[i]…`, `$.facts.<id>…`,
//! `$.orders[1].shipping.time_slot`). Every integer in a result is a quantity, a
//! line or package number or a packet count (32 bits at most), so results convert
//! without a range check.

use ichigen::Error;
use ichigen::shipment::{self, Planner, json};
use napi::bindgen_prelude::{BigInt, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{json_arg, opt_json_arg, to_js, unreadable};
use crate::errors::{CoreResultExt, MAX_SAFE_INTEGER, input};

/// A result converted whole (see [`to_js`]: a batch's plans may be many), or the
/// JS error.
fn answer<'env>(env: &'env Env, result: Result<Value, Error>) -> napi::Result<Unknown<'env>> {
    let value = result.or_throw(env)?;
    to_js(env, &value)
}

/// Plans shipments for a shop's policy: splits an order by the policy's keys (and
/// its own `instructions.split_by`) into shipments and packages with the money
/// shared to the yen; judges mail packets (メール便); finds, checks, makes and undoes
/// merges (同梱). Built once from the options; reuse it for a batch.
#[napi]
pub struct ShipmentPlanner {
    inner: Planner,
}

impl std::fmt::Debug for ShipmentPlanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShipmentPlanner").finish_non_exhaustive()
    }
}

#[napi]
impl ShipmentPlanner {
    /// A planner from the options (`{split_by?, capacity?, fees?, items?, profiles?,
    /// mail_profile?, max_packets?, auto_merge?}`; an object or JSON text; absent or
    /// `null`: the defaults, splitting by temperature zone and shipping method, fees
    /// and discounts on the first shipment). Throws `SHIPMENT_INVALID` with every
    /// issue at its path within the options (`$.items[1].sku` for an item given
    /// twice, `$.mail_profile` for an unknown profile).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "options?: ShipmentOptions | string | null"
    )]
    pub fn new(env: Env, options: Option<Unknown<'_>>) -> napi::Result<Self> {
        opt_json_arg(options, "options")
            .and_then(json::planner)
            .map(|inner| ShipmentPlanner { inner })
            .or_throw(&env)
    }

    /// Splits an order into shipments: `{orders, currency, shipments, total}`, each
    /// shipment with its lines, temperature zone, method, package (`{number, of}`),
    /// the keys that caused it (`caused_by`) and its money; the shipments' money adds
    /// up exactly to the order's (`total`). `stock` is the order's reservations
    /// (`[{line, location?, quantity}]`, the stock book's `reserved` fit): with
    /// the `stock` key, reserved and backordered units ship apart. A bad order
    /// throws `ORDER_INVALID` at `$.order…`; a bad reservation `SHIPMENT_INVALID` at
    /// `$.stock[i]…`.
    #[napi(
        catch_unwind,
        ts_args_type = "order: OrderInput, stock?: ShipmentReservation[] | string | null",
        ts_return_type = "ShipmentPlan"
    )]
    pub fn split<'env>(
        &self,
        env: &'env Env,
        order: Unknown<'_>,
        stock: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let run = || {
            let order = json_arg(order, "order")?;
            let stock = opt_json_arg(stock, "stock")?;
            json::split(&self.inner, order, stock)
        };
        answer(env, run())
    }

    /// Splits each order of a batch (an array, or JSON text of one) without stock:
    /// one plan per order, in order. Stops at the first order that fails and throws
    /// its error, a bad order's issues at `$.orders[i]…`.
    #[napi(
        catch_unwind,
        ts_args_type = "orders: OrderInput[] | string",
        ts_return_type = "ShipmentPlan[]"
    )]
    pub fn split_all<'env>(
        &self,
        env: &'env Env,
        orders: Unknown<'_>,
    ) -> napi::Result<Unknown<'env>> {
        let run = || json::split_all(&self.inner, json_arg(orders, "orders")?);
        answer(env, run())
    }

    /// The mail-packet judgement of an order: `{profile, eligible, load, packets,
    /// outcome, reasons, facts}`: the profile that judged, whether it may go by mail
    /// packet at all, the sum of its lines' fractions (`"5/6"`), the packets needed,
    /// `mail_packet` / `packets` / `box`, every reason (`{code: "cod"}`, `{code:
    /// "not_mailable", line}`…), and the triage facts `{mail_packet_fits,
    /// mail_packets_needed}`.
    #[napi(
        catch_unwind,
        ts_args_type = "order: OrderInput",
        ts_return_type = "MailVerdict"
    )]
    pub fn mail<'env>(&self, env: &'env Env, order: Unknown<'_>) -> napi::Result<Unknown<'env>> {
        let run = || json::mail(&self.inner, json_arg(order, "order")?);
        answer(env, run())
    }

    /// Orders that may ship together: `{groups: [{parent, orders}], excluded:
    /// [{order, reason, issues?}], context: {<id>: {merge_candidate}}, merged}`. An
    /// order that does not validate is excluded (reason `invalid`, its index and its
    /// issues at `$.orders[i]…`) rather than thrown; `facts` (`{<order id>:
    /// {ship_date?, location?, customer?, masked?}}`) come from the other steps. With
    /// `auto_merge`, every group is merged into `merged` and no order is left to
    /// decide (`merge_candidate` false).
    #[napi(
        catch_unwind,
        ts_args_type = "orders: OrderInput[] | string, facts?: OrderFactsMap | string | null",
        ts_return_type = "MergeCandidates"
    )]
    pub fn merge_candidates<'env>(
        &self,
        env: &'env Env,
        orders: Unknown<'_>,
        facts: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let run = || {
            let orders = json_arg(orders, "orders")?;
            let facts = opt_json_arg(facts, "facts")?;
            json::merge_candidates(&self.inner, orders, facts)
        };
        answer(env, run())
    }

    /// Whether two orders may ship together: `{mergeable, differs}`, `differs`
    /// naming every part of the merge key that differs (`time_slot`,
    /// `recipient_address`…) or why an order cannot merge at all (`masked`,
    /// `closed`…). Anything but two orders throws `SHIPMENT_INVALID` at `$.orders`.
    #[napi(
        catch_unwind,
        ts_args_type = "orders: [OrderInput, OrderInput] | string, facts?: OrderFactsMap | string | null",
        ts_return_type = "MergeCheck"
    )]
    pub fn merge_check<'env>(
        &self,
        env: &'env Env,
        orders: Unknown<'_>,
        facts: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let run = || {
            let orders = json_arg(orders, "orders")?;
            let facts = opt_json_arg(facts, "facts")?;
            json::merge_check(&self.inner, orders, facts)
        };
        answer(env, run())
    }

    /// Merges orders into one consignment and plans it: a plan whose `orders` lists
    /// the parent (親受注: the earliest order that is not 0 yen) first, each shipment
    /// with every order's part of its money (`parts`). Orders that may not merge
    /// throw `SHIPMENT_INVALID`, an issue per difference from the parent
    /// (`SHIPMENT_MERGE_TIME_SLOT` at `$.orders[1].shipping.time_slot`).
    #[napi(
        catch_unwind,
        ts_args_type = "orders: OrderInput[] | string, facts?: OrderFactsMap | string | null, stock?: ShipmentReservation[] | string | null",
        ts_return_type = "ShipmentPlan"
    )]
    pub fn merge<'env>(
        &self,
        env: &'env Env,
        orders: Unknown<'_>,
        facts: Option<Unknown<'_>>,
        stock: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let run = || {
            let orders = json_arg(orders, "orders")?;
            let facts = opt_json_arg(facts, "facts")?;
            let stock = opt_json_arg(stock, "stock")?;
            json::merge(&self.inner, orders, facts, stock)
        };
        answer(env, run())
    }

    /// Undoes a merge: `merged` is the plan `merge` returned; `orders` must be its
    /// orders (in any order). Answers `{plans}`, one plan per order in the merged
    /// plan's order, whose money adds up to the merged plan's; otherwise (other
    /// orders, or a merged plan changed since) `SHIPMENT_UNMERGE_MISMATCH`. `stock`
    /// holds each order's reservations, named by `order`.
    #[napi(
        catch_unwind,
        ts_args_type = "merged: ShipmentPlan | string, orders: OrderInput[] | string, stock?: ShipmentReservation[] | string | null",
        ts_return_type = "{ plans: ShipmentPlan[] }"
    )]
    pub fn unmerge<'env>(
        &self,
        env: &'env Env,
        merged: Unknown<'_>,
        orders: Unknown<'_>,
        stock: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let run = || {
            let merged = json_arg(merged, "merged")?;
            let orders = json_arg(orders, "orders")?;
            let stock = opt_json_arg(stock, "stock")?;
            json::unmerge(&self.inner, merged, orders, stock)
        };
        answer(env, run())
    }
}

/// A whole number for `largestRemainder` at `path`: a JS number without a fraction
/// within ±(2^53 - 1), or a BigInt within 128 bits; `true` with it when it was a
/// BigInt.
fn whole_number(value: &Unknown<'_>, path: &str) -> Result<(i128, bool), Error> {
    match value.get_type().map_err(|_| unreadable(path))? {
        ValueType::Number => {
            let n = value
                .coerce_to_number()
                .and_then(|n| n.get_double())
                .map_err(|_| unreadable(path))?;
            if n.is_finite() && n.trunc() == n && n.abs() <= MAX_SAFE_INTEGER as f64 {
                // Exact: an integer-valued double within ±2^53 converts without loss.
                Ok((n as i128, false))
            } else {
                Err(input(
                    "INPUT_BAD_VALUE",
                    path,
                    "expected a whole number within ±(2^53 - 1), or a BigInt",
                ))
            }
        }
        ValueType::BigInt => {
            let text = value
                .coerce_to_string()
                .and_then(|s| s.into_utf8())
                .and_then(|s| s.into_owned())
                .map_err(|_| unreadable(path))?;
            text.parse::<i128>()
                .map(|n| (n, true))
                .map_err(|_| input("INPUT_OUT_OF_RANGE", path, "a BigInt must fit in 128 bits"))
        }
        _ => Err(input(
            "INPUT_WRONG_TYPE",
            path,
            "expected a number or a BigInt",
        )),
    }
}

/// The weights: an array of whole numbers (numbers or BigInts), at `$.weights[i]`.
fn weights_of(value: &Unknown<'_>) -> Result<Vec<i128>, Error> {
    let path = "$.weights";
    let wrong = || {
        input(
            "INPUT_WRONG_TYPE",
            path,
            "expected an array of whole numbers",
        )
    };
    if value.get_type().map_err(|_| unreadable(path))? != ValueType::Object {
        return Err(wrong());
    }
    let array: Object<'_> = value.coerce_to_object().map_err(|_| unreadable(path))?;
    if !array.is_array().map_err(|_| unreadable(path))? {
        return Err(wrong());
    }
    let len = array.get_array_length().map_err(|_| unreadable(path))?;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        let at = format!("{path}[{i}]");
        let item: Unknown<'_> = array.get_element(i).map_err(|_| unreadable(&at))?;
        out.push(whole_number(&item, &at)?.0);
    }
    Ok(out)
}

/// Shares `total` (whole minor units, such as yen) out in proportion to `weights`
/// by the largest-remainder method, as the planner shares fees and discounts: each
/// share rounded down, the units left over one each to the largest remainders (the
/// earlier on a tie); the shares add up to `total` exactly. Negative weights count
/// as zero; when all are zero the first share takes everything; a negative total is
/// shared as its absolute value and negated; no weights give `[]`. Numbers or
/// BigInts in; the shares are numbers for a number `total`, BigInts for a BigInt
/// one. A number with a fraction (or beyond ±(2^53 - 1)) is `INPUT_BAD_VALUE` at
/// `$.total` or `$.weights[i]`; another type `INPUT_WRONG_TYPE`; a BigInt beyond 128
/// bits `INPUT_OUT_OF_RANGE`. Any total is shared exactly; weights whose sum passes
/// 2^63 are halved together first (the shares still add up exactly).
#[napi(
    catch_unwind,
    ts_generic_types = "T extends number | bigint",
    ts_args_type = "total: T, weights: Array<number | bigint>",
    ts_return_type = "T extends bigint ? bigint[] : number[]"
)]
pub fn largest_remainder<'env>(
    env: &'env Env,
    total: Unknown<'_>,
    weights: Unknown<'_>,
) -> napi::Result<Unknown<'env>> {
    let run = || {
        let (total, big) = whole_number(&total, "$.total")?;
        let weights = weights_of(&weights)?;
        Ok((shipment::largest_remainder(total, &weights), big))
    };
    let (shares, big) = run().or_throw(env)?;
    let len = u32::try_from(shares.len())
        .map_err(|_| napi::Error::from_reason("an array too long for JS"))?;
    let mut array = env.create_array(len)?;
    for (i, share) in (0..len).zip(shares) {
        if big {
            array.set(i, BigInt::from(share))?;
        } else {
            // |share| ≤ |total| ≤ 2^53 - 1: exact as a double.
            array.set(i, share as f64)?;
        }
    }
    Ok(array.to_unknown())
}

/// The mail-packet carrier profiles ichigen knows without configuration
/// (`nekopos`, `yu_packet`, `click_post`, `dm_bin`), with their limits; a profile
/// in the options with the same code replaces one.
#[napi(ts_return_type = "CarrierProfile[]")]
pub fn builtin_profiles(env: &Env) -> napi::Result<Unknown<'_>> {
    let value = serde_json::to_value(shipment::builtin_profiles())
        .map_err(|_| {
            input(
                "INPUT_WRONG_TYPE",
                "$",
                "the profiles cannot be written as JSON",
            )
        })
        .or_throw(env)?;
    to_js(env, &value)
}
