//! Integration tests of the core: property tests of the lifecycle and of money, and
//! the proof that personal data never leaks into Debug output or error messages.

mod analytics_props;
mod calendar_props;
mod china_calendar;
mod clv_cdnow;
mod identity_props;
mod japan_holidays;
mod lifecycle_props;
mod money_props;
mod personal_data;
mod rule_set_text;
mod shipment_props;
mod stock_props;
