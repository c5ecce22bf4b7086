//! Analytics over order histories in columns: sales by any axis, RFM, CPM and
//! the customer balance sheet, repeat buying and cohorts, and customer lifetime
//! value (BG/NBD and Gamma-Gamma).
//!
//! Everything runs on an [`OrderHistory`], one column per field (struct of
//! arrays), and returns [`Table`]s or typed columns. Dates are the shop's: each
//! order's local day is computed once, in the history's zone. Amounts are whole
//! minor units (yen), summed exactly in 128 bits.
//!
//! The rules are in `docs/analytics.md`; the JSON face the bindings and vectors
//! share is [`json`].

// Money stays in integers here as everywhere; real numbers are for what is not
// money: rates, shares, projections and the CLV models' likelihoods.
#![allow(clippy::float_arithmetic)]

mod balance;
pub mod clv;
mod cpm;
mod customers;
mod history;
pub mod json;
mod orders;
mod repeat;
mod rfm;
mod sales;
mod table;

pub use balance::{BalanceConfig, BalanceSheet};
pub use cpm::{Class, Cpm, CpmConfig, Segment};
pub use history::{
    Attribute, Coded, Interner, LineColumns, MAX_AMOUNT, NULL, OrderColumns, OrderHistory, date_of,
    day_number, instant_of_local, status_is_cancelled,
};
pub use repeat::RepeatConfig;
pub use rfm::{MoneyValue, Rfm, RfmConfig, RfmRank, RfmScoring};
pub use sales::{Axis, SalesQuery};
pub use table::{Column, Table, money_text, round_to};
