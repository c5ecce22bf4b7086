//! The records the resolver reads (one per order's buyer, or per customer row of
//! a shop's list) and their normalized keys.

use serde::{Deserialize, Serialize};

use super::config::{Field, IdentityConfig};
use super::normalize::{self, NormalizeError};
use crate::error::Issue;
use crate::order::{Channel, Order};

/// One record to resolve: who bought, as a channel reported it.
///
/// `Debug` prints no personal data: only which fields are present.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityRecord {
    /// The caller's key for this record (an order id, a customer row id); unique.
    pub id: String,
    /// Where the record came from.
    pub channel: Option<Channel>,
    /// The store within the channel (relay e-mails match only within one store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Reading (フリガナ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// Phone number as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail address as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal code as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Prefecture as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
    /// City, town and street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// Building and room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// Marketplace member id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    /// The customer id this record had before (from an earlier resolution), so that
    /// ids stay stable across recomputation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<u64>,
    /// Personal data was removed (Amazon's 30 days): the record keeps its customer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
}

impl std::fmt::Debug for IdentityRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = |o: &Option<String>| if o.is_some() { "<redacted>" } else { "<none>" };
        f.debug_struct("IdentityRecord")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("store", &self.store)
            .field("name", &p(&self.name))
            .field("kana", &p(&self.kana))
            .field("phone", &p(&self.phone))
            .field("email", &p(&self.email))
            .field("postal_code", &p(&self.postal_code))
            .field("prefecture", &p(&self.prefecture))
            .field("address1", &p(&self.address1))
            .field("address2", &p(&self.address2))
            .field("member_id", &p(&self.member_id))
            .field("customer_id", &self.customer_id)
            .field("masked", &self.masked)
            .finish()
    }
}

impl IdentityRecord {
    /// The buyer of an order as a record keyed by the order's id.
    pub fn from_order(order: &Order) -> IdentityRecord {
        let b = &order.buyer;
        IdentityRecord {
            id: order.id.as_str().to_owned(),
            channel: Some(order.channel),
            store: Some(order.store.as_str().to_owned()),
            name: Some(b.name.clone()).filter(|n| !n.is_empty()),
            kana: b.kana.clone(),
            phone: b.phone.clone(),
            email: b.email.clone(),
            postal_code: b.postal_code.clone(),
            prefecture: b.prefecture.clone(),
            address1: b.address1.clone(),
            address2: b.address2.clone(),
            member_id: b.member_id.as_ref().map(|m| m.as_str().to_owned()),
            customer_id: None,
            masked: false,
        }
    }

    /// A borrowed view of the record.
    pub fn view(&self) -> RecordRef<'_> {
        RecordRef {
            id: &self.id,
            channel: self.channel.unwrap_or(Channel::Other),
            store: self.store.as_deref().unwrap_or(""),
            name: self.name.as_deref(),
            kana: self.kana.as_deref(),
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
            postal_code: self.postal_code.as_deref(),
            prefecture: self.prefecture.as_deref(),
            address1: self.address1.as_deref(),
            address2: self.address2.as_deref(),
            member_id: self.member_id.as_deref(),
            customer_id: self.customer_id,
            masked: self.masked,
        }
    }
}

/// A borrowed record, what the resolver reads (columns from Arrow become these
/// without copying).
#[derive(Clone, Copy)]
#[allow(missing_docs)] // the fields mirror IdentityRecord's
pub struct RecordRef<'a> {
    pub id: &'a str,
    pub channel: Channel,
    pub store: &'a str,
    pub name: Option<&'a str>,
    pub kana: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub prefecture: Option<&'a str>,
    pub address1: Option<&'a str>,
    pub address2: Option<&'a str>,
    pub member_id: Option<&'a str>,
    pub customer_id: Option<u64>,
    pub masked: bool,
}

impl std::fmt::Debug for RecordRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordRef")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// Separates parts of a scoped key; never produced by the normalizers.
const SEP: char = '\u{1F}';

fn present(s: Option<&str>) -> Option<&str> {
    s.filter(|v| !v.trim().is_empty() && !is_mask(v))
}

/// Values a marketplace puts where it removed personal data (`***`, `＊＊＊`).
fn is_mask(v: &str) -> bool {
    v.chars()
        .all(|c| matches!(c, '*' | '＊' | '×' | '-' | ' ' | '\u{3000}'))
}

/// Writes the record's keys into `keys` (a buffer per field, cleared first); fields
/// the configuration does not use, or that the channel is not trusted for, stay
/// empty. Problems are pushed to `issues` with paths under `path`; a field that
/// fails is left empty and the rest of the record still counts.
pub(crate) fn keys_of(
    r: &RecordRef<'_>,
    config: &IdentityConfig,
    used: u8,
    keys: &mut [String; 7],
    issues: &mut Vec<Issue>,
    path: &dyn Fn() -> String,
) {
    for k in keys.iter_mut() {
        k.clear();
    }
    if r.masked {
        return;
    }
    let wanted = |f: Field| used & (1 << f.index()) != 0 && !config.ignores(r.channel, f);
    let mut fail = |field: &str, e: NormalizeError| {
        issues.push(Issue::new(e.code, format!("{}.{field}", path()), e.message));
    };
    if wanted(Field::Name) {
        if let Some(v) = present(r.name) {
            keys[Field::Name.index()] = normalize::name(v);
        }
    }
    if wanted(Field::Kana) {
        if let Some(v) = present(r.kana) {
            keys[Field::Kana.index()] = normalize::kana(v);
        }
    }
    if wanted(Field::Phone) {
        if let Some(v) = present(r.phone) {
            match normalize::phone(v) {
                Ok(p) => keys[Field::Phone.index()] = p.e164,
                Err(e) => fail("phone", e),
            }
        }
    }
    if wanted(Field::Email) {
        if let Some(v) = present(r.email) {
            match normalize::email(v, config.relays()) {
                Ok(e) => {
                    let k = &mut keys[Field::Email.index()];
                    if e.kind.is_scoped() {
                        k.push_str(r.channel.as_str());
                        k.push(SEP);
                        k.push_str(r.store);
                        k.push(SEP);
                    }
                    k.push_str(&e.address);
                }
                Err(e) => fail("email", e),
            }
        }
    }
    let want_postal = wanted(Field::PostalCode);
    let want_address = wanted(Field::Address);
    if want_postal || want_address {
        let postal = present(r.postal_code);
        let a1 = present(r.address1);
        if want_address && a1.is_some() {
            match normalize::address(
                postal,
                r.prefecture,
                a1.unwrap_or(""),
                r.address2.unwrap_or(""),
            ) {
                Ok(a) => {
                    if want_postal {
                        if let Some(p) = a.postal_code {
                            keys[Field::PostalCode.index()] = p;
                        }
                    }
                    let k = &mut keys[Field::Address.index()];
                    if let Some(code) = a.prefecture_code {
                        k.push_str(&code.to_string());
                    }
                    k.push(SEP);
                    k.push_str(&a.street);
                    k.push(SEP);
                    k.push_str(&a.building);
                }
                Err(e) => fail(
                    if e.code == "IDENTITY_POSTAL_INVALID" {
                        "postal_code"
                    } else {
                        "prefecture"
                    },
                    e,
                ),
            }
        } else if want_postal {
            if let Some(p) = postal {
                match normalize::postal_code(p) {
                    Ok(p) => keys[Field::PostalCode.index()] = p,
                    Err(e) => fail("postal_code", e),
                }
            }
        }
    }
    if wanted(Field::MemberId) {
        if let Some(v) = present(r.member_id) {
            let k = &mut keys[Field::MemberId.index()];
            k.push_str(r.channel.as_str());
            k.push(SEP);
            k.push_str(&crate::text::fold(v));
        }
    }
}
