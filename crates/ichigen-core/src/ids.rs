//! Identifiers and codes as newtypes, so that a SKU is never passed where a listing
//! code is expected.
//!
//! ```
//! use ichigen_core::ids::{ListingCode, Sku};
//! let listing = ListingCode::new("tshirt-red-m");
//! let sku = Sku::new("TS-001-RED-M");
//! assert_eq!(listing.as_str(), "tshirt-red-m");
//! assert_ne!(listing.as_str(), sku.as_str());
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The string inside.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }
    };
}

string_id!(
    /// ichigen's own id of an order, unique within a shop.
    OrderId
);
string_id!(
    /// A store on a channel (one shop may run several Rakuten stores).
    StoreId
);
string_id!(
    /// The order number the channel gave (楽天の受注番号, Amazon order id).
    ChannelOrderNumber
);
string_id!(
    /// A channel's code for a listing (商品管理番号, ASIN/SKU on Amazon).
    ListingCode
);
string_id!(
    /// A master SKU (アシストID): the physical item behind every listing.
    Sku
);
string_id!(
    /// A product group a shop defines (a category, a brand, a supplier line).
    ProductGroup
);
string_id!(
    /// A tag on an order (受注タグ), from a rule, a person or the marketplace.
    Tag
);
string_id!(
    /// A shop-defined sub-status (オリジナルステータス).
    SubStatus
);
string_id!(
    /// A carrier code (`yamato`, `sagawa`, `japan_post`, ...).
    CarrierCode
);
string_id!(
    /// A shipping method code (`takkyubin`, `nekopos`, ...).
    ShippingMethodCode
);
string_id!(
    /// A mail template id.
    MailTemplateId
);
string_id!(
    /// The id of a triage rule inside its rule set.
    RuleId
);
string_id!(
    /// A marketplace member id of the buyer (楽天会員ID), when the channel gives one.
    MemberId
);
string_id!(
    /// A warehouse or store location holding stock (倉庫・拠点).
    LocationId
);
string_id!(
    /// A supplier (仕入先) that purchase orders and drop-ship totals go to.
    SupplierId
);
