//! The order: one normalized shape for every channel (DOMAIN.md §1).
//!
//! An [`Order`] is plain data with serde support. Its JSON form is what the Python,
//! Node and Swift bindings exchange. Parse and check it with
//! [`validate::parse_order`](crate::validate::parse_order), which reports every problem
//! with the JSON path of the field.
//!
//! Personal data (names, phones, e-mails, addresses) lives in [`Party`], whose `Debug`
//! output redacts it; nothing else in the model holds personal data except the free
//! text of [`Order::remarks`], which `Debug` also redacts.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::lifecycle::OrderState;
use crate::money::{Amount, Currency, Rounding, amount_serde};

/// The channel an order came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// 楽天市場.
    Rakuten,
    /// Amazon.co.jp.
    Amazon,
    /// Yahoo!ショッピング.
    Yahoo,
    /// au PAY マーケット.
    AuPay,
    /// Qoo10.
    Qoo10,
    /// Shopify.
    Shopify,
    /// The shop's own site (a cart such as futureshop, MakeShop, EC-CUBE).
    OwnSite,
    /// A physical store's POS.
    Pos,
    /// 天猫 Tmall.
    Tmall,
    /// 淘宝 Taobao.
    Taobao,
    /// 京东 JD.
    Jd,
    /// 拼多多 Pinduoduo.
    Pinduoduo,
    /// 抖音 Douyin.
    Douyin,
    /// Phone, fax or any channel not listed.
    Other,
}

impl Channel {
    /// Every channel, in declaration order.
    pub const ALL: [Channel; 14] = [
        Channel::Rakuten,
        Channel::Amazon,
        Channel::Yahoo,
        Channel::AuPay,
        Channel::Qoo10,
        Channel::Shopify,
        Channel::OwnSite,
        Channel::Pos,
        Channel::Tmall,
        Channel::Taobao,
        Channel::Jd,
        Channel::Pinduoduo,
        Channel::Douyin,
        Channel::Other,
    ];

    /// The channel with this snake_case name (`rakuten`, `own_site`), as JSON
    /// spells it.
    ///
    /// ```
    /// use ichigen_core::order::Channel;
    /// assert_eq!(Channel::from_name("own_site"), Some(Channel::OwnSite));
    /// assert_eq!(Channel::from_name("ebay"), None);
    /// for c in Channel::ALL {
    ///     assert_eq!(Channel::from_name(c.as_str()), Some(c));
    /// }
    /// ```
    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The snake_case name used in JSON and rule sets.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Rakuten => "rakuten",
            Channel::Amazon => "amazon",
            Channel::Yahoo => "yahoo",
            Channel::AuPay => "au_pay",
            Channel::Qoo10 => "qoo10",
            Channel::Shopify => "shopify",
            Channel::OwnSite => "own_site",
            Channel::Pos => "pos",
            Channel::Tmall => "tmall",
            Channel::Taobao => "taobao",
            Channel::Jd => "jd",
            Channel::Pinduoduo => "pinduoduo",
            Channel::Douyin => "douyin",
            Channel::Other => "other",
        }
    }
}

/// How the buyer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaymentMethod {
    /// Credit card (クレジットカード).
    CreditCard,
    /// Bank transfer (銀行振込), paid after the order.
    BankTransfer,
    /// Convenience-store payment (コンビニ決済), paid after the order.
    ConvenienceStore,
    /// Cash on delivery (代金引換).
    Cod,
    /// Deferred payment (後払い), subject to screening.
    Deferred,
    /// Carrier billing (キャリア決済).
    CarrierBilling,
    /// QR / wallet payment (PayPay, 楽天ペイ, Alipay, WeChat Pay).
    Wallet,
    /// Paid entirely with points.
    Points,
    /// Settled by the marketplace (Amazon Pay, marketplace settlement).
    Marketplace,
    /// Anything else.
    Other,
}

/// The state of the payment as the channel reports it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaymentStatus {
    /// Nothing received yet (未入金).
    #[default]
    Unpaid,
    /// Card authorization succeeded (オーソリOK).
    Authorized,
    /// Card authorization failed (オーソリNG).
    AuthorizationFailed,
    /// Deferred-payment screening under way (与信審査中).
    Screening,
    /// Deferred-payment screening refused (与信NG).
    ScreeningFailed,
    /// Paid (入金済み).
    Paid,
    /// Refunded (返金済み).
    Refunded,
}

/// Payment method and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// How the buyer pays.
    pub method: PaymentMethod,
    /// Where the payment stands.
    #[serde(default)]
    pub status: PaymentStatus,
}

/// The class of a shipping method, which decides what is physically possible.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShippingClass {
    /// A parcel service (宅配便).
    #[default]
    Parcel,
    /// A mail packet into the letterbox (メール便: ネコポス, ゆうパケット, クリックポスト, DM便).
    MailPacket,
    /// A compact box (宅急便コンパクト, ゆうパック小型).
    Compact,
    /// Freight / large items (大型便).
    Freight,
    /// Collected by the buyer (店頭受取).
    Pickup,
}

/// The delivery time slot the buyer asked for (お届け時間帯), as the Japanese
/// carriers define them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TimeSlot {
    /// 午前中 (8–12).
    #[serde(rename = "0812")]
    Morning,
    /// 12–14.
    #[serde(rename = "1214")]
    Noon,
    /// 14–16.
    #[serde(rename = "1416")]
    Afternoon14,
    /// 16–18.
    #[serde(rename = "1618")]
    Afternoon16,
    /// 18–20.
    #[serde(rename = "1820")]
    Evening18,
    /// 19–21.
    #[serde(rename = "1921")]
    Evening19,
    /// 20–21.
    #[serde(rename = "2021")]
    Evening20,
}

/// Shipping method, carrier and the buyer's wishes about delivery.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    /// The shop's code for the method (`takkyubin`, `nekopos`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<ShippingMethodCode>,
    /// The class of that method.
    #[serde(default)]
    pub class: ShippingClass,
    /// The carrier (`yamato`, `sagawa`, `japan_post`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<CarrierCode>,
    /// Desired delivery date (お届け希望日), a calendar date in the shop's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_date: Option<NaiveDate>,
    /// Desired time slot (お届け時間帯).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_slot: Option<TimeSlot>,
}

/// The temperature a line must travel at (温度帯).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum TemperatureZone {
    /// 常温.
    #[default]
    Ambient,
    /// 冷蔵.
    Chilled,
    /// 冷凍.
    Frozen,
}

/// How line prices relate to consumption tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    /// Prices include tax (税込), as Japanese marketplaces show them.
    #[default]
    Inclusive,
    /// Prices exclude tax (税抜); tax is added per rate.
    Exclusive,
}

/// Options on a line: wrapping (ラッピング), noshi (熨斗) and anything else the channel sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineOptions {
    /// The wrapping chosen, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapping: Option<FreeText>,
    /// The noshi chosen (type and inscription), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noshi: Option<FreeText>,
    /// Any other option name → value (項目選択肢).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, FreeText>,
}

impl LineOptions {
    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        self.wrapping.is_none() && self.noshi.is_none() && self.other.is_empty()
    }
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// The channel's listing code.
    pub listing_code: ListingCode,
    /// The master SKU, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// The product name as sold.
    pub name: String,
    /// Units ordered (at least 1).
    pub quantity: u32,
    /// Price of one unit, in the order's currency and tax mode.
    #[serde(with = "amount_serde")]
    pub unit_price: Amount,
    /// Consumption tax rate as a fraction (`"0.10"`, `"0.08"`, `"0"`).
    #[serde(with = "amount_serde")]
    pub tax_rate: Decimal,
    /// Temperature zone.
    #[serde(default)]
    pub temperature: TemperatureZone,
    /// Wrapping, noshi and other options.
    #[serde(default, skip_serializing_if = "LineOptions::is_empty")]
    pub options: LineOptions,
    /// Release date of a pre-order item (予約商品の発売日).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<NaiveDate>,
    /// Made to order, such as engraving (名入れ).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub made_to_order: bool,
    /// The product needs a person's confirmation before shipping (要確認商品).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_confirmation: bool,
    /// The product group, for rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_group: Option<ProductGroup>,
    /// Index into [`Order::recipients`] of the recipient this line goes to.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub recipient: u32,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

impl OrderLine {
    /// quantity × unit price.
    pub fn amount(&self) -> Amount {
        if self.quantity == 1 {
            return self.unit_price;
        }
        self.unit_price * Decimal::from(self.quantity)
    }
}

/// A person or company: the buyer (注文者) or a recipient (お届け先).
///
/// `Debug` prints no personal data: only which fields are present.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Full name (氏名).
    #[serde(default)]
    pub name: String,
    /// Reading of the name (フリガナ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    /// Company name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Phone number as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail address as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal code (郵便番号), `1234567` or `123-4567`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Prefecture (都道府県), such as `東京都`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
    /// City, town and street number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// Building, room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// Country, ISO 3166-1 alpha-2 (`JP` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Marketplace member id, if the channel gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<MemberId>,
}

impl fmt::Debug for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only presence, never content: Debug output ends up in logs.
        let present = |o: &Option<String>| if o.is_some() { "<redacted>" } else { "<none>" };
        f.debug_struct("Party")
            .field(
                "name",
                &if self.name.is_empty() {
                    "<none>"
                } else {
                    "<redacted>"
                },
            )
            .field("kana", &present(&self.kana))
            .field("company", &present(&self.company))
            .field("phone", &present(&self.phone))
            .field("email", &present(&self.email))
            .field("postal_code", &present(&self.postal_code))
            .field(
                "prefecture",
                &self.prefecture.as_ref().map(|_| "<redacted>"),
            )
            .field("address1", &present(&self.address1))
            .field("address2", &present(&self.address2))
            .field("country", &self.country)
            .field("member_id", &self.member_id.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Coupon and point discounts on an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discounts {
    /// Coupon discount (クーポン値引き), a positive amount.
    #[serde(default, with = "amount_serde")]
    pub coupon: Amount,
    /// Points used (ポイント利用), a positive amount.
    #[serde(default, with = "amount_serde")]
    pub points: Amount,
}

/// Totals as the channel stated them, to be checked against the computed ones.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatedTotals {
    /// The amount the buyer is charged (請求金額).
    #[serde(
        default,
        with = "amount_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<Amount>,
    /// Tax per rate, keyed by rate (`"0.10"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax: Vec<StatedTax>,
}

/// One stated tax amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatedTax {
    /// The rate (`"0.10"`).
    #[serde(with = "amount_serde")]
    pub rate: Decimal,
    /// The tax at that rate.
    #[serde(with = "amount_serde")]
    pub tax: Amount,
}

/// Pricing policy of the order: tax mode, rounding and the rate for fees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// Whether prices include tax.
    #[serde(default)]
    pub tax_mode: TaxMode,
    /// How tax is rounded, once per rate per order.
    #[serde(default)]
    pub tax_rounding: Rounding,
    /// Tax rate of the shipping and COD fees (standard rate by default).
    #[serde(with = "amount_serde", default = "standard_rate")]
    pub fee_tax_rate: Decimal,
}

fn standard_rate() -> Decimal {
    Decimal::new(10, 2)
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing {
            tax_mode: TaxMode::Inclusive,
            tax_rounding: Rounding::Floor,
            fee_tax_rate: standard_rate(),
        }
    }
}

/// Instructions that triage actions leave on an order for later steps.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instructions {
    /// Hide prices on the delivery note (gift).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hide_prices: bool,
    /// A ship date set by a rule or a person (出荷予定日).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_date: Option<NaiveDate>,
    /// The mail template chosen for this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_template: Option<MailTemplateId>,
    /// Keys by which this order should be split into shipments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_by: Vec<SplitKey>,
}

/// A reason to split an order into several shipments (DOMAIN.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKey {
    /// 常温・冷蔵・冷凍.
    TemperatureZone,
    /// Different shipping methods.
    ShippingMethod,
    /// Reserved vs backordered lines.
    Stock,
    /// Different release dates.
    ReleaseDate,
    /// Different warehouses.
    Location,
    /// Package capacity.
    Capacity,
    /// Lines going to different recipients (always applied: one box has one address).
    Recipient,
}

/// One order, from any channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// ichigen's id of the order.
    pub id: OrderId,
    /// The channel.
    pub channel: Channel,
    /// The store on that channel.
    pub store: StoreId,
    /// The channel's order number.
    pub channel_order_number: ChannelOrderNumber,
    /// When the order was placed, as a UTC instant.
    pub ordered_at: DateTime<Utc>,
    /// The shop's IANA time zone (`Asia/Tokyo`), which decides the order's calendar day.
    #[serde(default = "default_zone")]
    pub shop_zone: Tz,
    /// The currency of every amount in the order.
    #[serde(default)]
    pub currency: Currency,
    /// Tax mode and rounding.
    #[serde(default)]
    pub pricing: Pricing,
    /// The buyer (注文者).
    pub buyer: Party,
    /// One or more recipients (お届け先).
    pub recipients: Vec<Party>,
    /// The lines.
    pub lines: Vec<OrderLine>,
    /// Payment method and status.
    pub payment: Payment,
    /// Shipping method, carrier, desired date and slot.
    #[serde(default)]
    pub shipping: Shipping,
    /// The buyer's remarks (備考欄). `Debug` redacts it: buyers write addresses there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<Remarks>,
    /// The marketplace's gift flag.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gift: bool,
    /// Coupon and point discounts.
    #[serde(default)]
    pub discounts: Discounts,
    /// Shipping fee (送料).
    #[serde(default, with = "amount_serde")]
    pub shipping_fee: Amount,
    /// COD fee (代引手数料).
    #[serde(default, with = "amount_serde")]
    pub cod_fee: Amount,
    /// Totals as the channel stated them.
    #[serde(default)]
    pub stated: StatedTotals,
    /// Tags the marketplace sent (fraud suspicion and the like).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marketplace_tags: Vec<Tag>,
    /// Instructions left by triage actions.
    #[serde(default)]
    pub instructions: Instructions,
    /// Lifecycle state: phase, holds, tags, sub-status, events.
    #[serde(default)]
    pub state: OrderState,
}

fn default_zone() -> Tz {
    chrono_tz::Asia::Tokyo
}

/// Free text that may hold personal data: a noshi inscription, an engraving, a
/// cancel reason, a staff note. Serialized as a plain string; `Debug` shows only its
/// length, because Debug output ends up in logs.
///
/// ```
/// use ichigen_core::order::FreeText;
/// let noshi = FreeText::from("御歳暮 山田");
/// assert_eq!(noshi.as_str(), "御歳暮 山田");
/// assert_eq!(format!("{noshi:?}"), "FreeText(<redacted 6 chars>)");
/// ```
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FreeText(String);

impl FreeText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl From<&str> for FreeText {
    fn from(s: &str) -> Self {
        FreeText(s.to_owned())
    }
}

impl From<String> for FreeText {
    fn from(s: String) -> Self {
        FreeText(s)
    }
}

impl fmt::Debug for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FreeText(<redacted {} chars>)", self.0.chars().count())
    }
}

/// Free text the buyer wrote. `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Remarks(pub String);

impl Remarks {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Remarks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Remarks(<redacted {} chars>)", self.0.chars().count())
    }
}

impl Order {
    /// The calendar date of the order in the shop's zone.
    ///
    /// An order at 23:30 in Tokyo is that day, not the UTC day.
    pub fn local_order_date(&self) -> NaiveDate {
        self.ordered_at.with_timezone(&self.shop_zone).date_naive()
    }

    /// Whether the remarks hold any non-blank text.
    pub fn has_remarks(&self) -> bool {
        self.remarks
            .as_ref()
            .is_some_and(|r| !r.0.trim().is_empty())
    }
}
