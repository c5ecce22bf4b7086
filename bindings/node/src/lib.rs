//! The Node.js binding of ichigen, built by `@napi-rs/cli` into `ichigen.<platform>.node`
//! and loaded by the generated `index.js`.
//!
//! Thin by design: JS values are converted to JSON (`convert`), handed to the core's
//! JSON face (`ichigen::interop`), and the results or errors (`errors`) converted
//! back; a ship-date batch passes typed arrays to the core's columnar planner and
//! returns typed arrays (`shipdate`); customer identity (`identity`) takes records
//! as objects or as columns of strings, and keeps an incremental resolver; stock
//! (`stock`) keeps a book behind a mutex, one method per operation, and allocates a
//! snapshot given as columns; shipment planning (`shipment`) keeps an immutable
//! planner built from the shop's options; analytics (`analytics`) keeps an order
//! history read from rows, columns of typed arrays or Arrow IPC, and answers with
//! column objects, the JSON face's rows or Arrow IPC. No decision about orders,
//! rules, calendars, ship dates, customers, stock, shipments or analytics is taken
//! here. The
//! TypeScript types of the records live in `types.d.ts`, which the CLI puts at the
//! head of `index.d.ts`.

// napi-derive registers the exports only outside `cfg(test)`; `cargo clippy
// --all-targets` still checks the library in test mode, where they look unused.
#![cfg_attr(test, allow(dead_code))]

mod analytics;
mod calendar;
mod convert;
mod errors;
mod identity;
mod orders;
mod rules;
mod shipdate;
mod shipment;
mod stock;

use napi_derive::napi;

/// The example rule set shipped with ichigen, as JSON text.
#[napi]
pub const EXAMPLE_RULE_SET_JSON: &str = ichigen::rules::EXAMPLE_RULE_SET_JSON;

/// A typical order (three lines, two tax rates), as JSON text. The people are fictitious.
#[napi]
pub const SAMPLE_ORDER_JSON: &str = ichigen::sample::ORDER_JSON;

/// The version of the native module (the workspace version).
#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
