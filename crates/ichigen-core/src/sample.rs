//! A typical order, for documentation examples, benchmarks and quick experiments.
//!
//! ```
//! let order = ichigen_core::sample::order();
//! assert_eq!(order.lines.len(), 3);
//! ```

use crate::order::Order;

/// A Rakuten order with three lines (two tax rates), one recipient, a coupon and
/// the totals the channel stated. The people in it are fictitious.
pub const ORDER_JSON: &str = r#"{
  "id": "ord-0001",
  "channel": "rakuten",
  "store": "rakuten-main",
  "channel_order_number": "123456-20261123-0000000001",
  "ordered_at": "2026-11-23T01:15:00Z",
  "shop_zone": "Asia/Tokyo",
  "currency": "JPY",
  "buyer": {
    "name": "山田 太郎", "kana": "ヤマダ タロウ", "phone": "090-1234-5678",
    "email": "taro@example.jp", "postal_code": "150-0001", "prefecture": "東京都",
    "address1": "渋谷区神宮前1-2-3", "address2": "サンプルビル101"
  },
  "recipients": [{
    "name": "山田 太郎", "phone": "090-1234-5678", "postal_code": "150-0001",
    "prefecture": "東京都", "address1": "渋谷区神宮前1-2-3", "address2": "サンプルビル101"
  }],
  "lines": [
    { "listing_code": "tea-set-a", "sku": "TEA-A", "name": "煎茶ギフトセット", "quantity": 2,
      "unit_price": "1650", "tax_rate": "0.10" },
    { "listing_code": "sweets-01", "sku": "SWT-01", "name": "和菓子詰め合わせ", "quantity": 1,
      "unit_price": "1080", "tax_rate": "0.08" },
    { "listing_code": "cup-01", "sku": "CUP-01", "name": "湯呑み", "quantity": 1,
      "unit_price": "660", "tax_rate": "0.10" }
  ],
  "payment": { "method": "credit_card", "status": "authorized" },
  "shipping": { "method": "takkyubin", "carrier": "yamato" },
  "discounts": { "coupon": "200" },
  "shipping_fee": "550",
  "stated": { "total": "5390", "tax": [ { "rate": "0.10", "tax": "410" }, { "rate": "0.08", "tax": "80" } ] }
}"#;

/// [`ORDER_JSON`], parsed.
pub fn order() -> Order {
    match crate::validate::parse_order_json(ORDER_JSON) {
        Ok(order) => order,
        // The sample is a constant checked by this crate's tests.
        Err(e) => unreachable!("the bundled sample order is invalid: {e}"),
    }
}
