//! The 47 prefectures (都道府県) with their JIS X 0401 codes, names and the
//! delivery regions Japanese carriers price and time by.
//!
//! ```
//! use ichigen_core::shipdate::prefecture::{find, Region};
//! let p = find("東京都").unwrap();
//! assert_eq!((p.code, p.romaji, p.region), (13, "tokyo", Region::Kanto));
//! assert_eq!(find("13").unwrap().name, "東京都");
//! assert_eq!(find("東京").unwrap().code, 13);
//! assert_eq!(find("Hokkaido").unwrap().code, 1);
//! assert!(find("東京府").is_none());
//! ```

use serde::{Deserialize, Serialize};

/// A delivery region (the grouping carriers publish their tables by).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// 北海道.
    Hokkaido,
    /// 北東北 (青森, 岩手, 秋田).
    NorthTohoku,
    /// 南東北 (宮城, 山形, 福島).
    SouthTohoku,
    /// 関東 (茨城 … 神奈川, 山梨).
    Kanto,
    /// 信越 (新潟, 長野).
    Shinetsu,
    /// 北陸 (富山, 石川, 福井).
    Hokuriku,
    /// 中部・東海 (岐阜, 静岡, 愛知, 三重).
    Chubu,
    /// 関西 (滋賀 … 和歌山).
    Kansai,
    /// 中国 (鳥取 … 山口).
    Chugoku,
    /// 四国.
    Shikoku,
    /// 九州.
    Kyushu,
    /// 沖縄.
    Okinawa,
}

impl Region {
    /// Every region, in table order.
    pub const ALL: [Region; 12] = [
        Region::Hokkaido,
        Region::NorthTohoku,
        Region::SouthTohoku,
        Region::Kanto,
        Region::Shinetsu,
        Region::Hokuriku,
        Region::Chubu,
        Region::Kansai,
        Region::Chugoku,
        Region::Shikoku,
        Region::Kyushu,
        Region::Okinawa,
    ];

    /// The Japanese name (`北東北`).
    pub fn japanese(self) -> &'static str {
        match self {
            Region::Hokkaido => "北海道",
            Region::NorthTohoku => "北東北",
            Region::SouthTohoku => "南東北",
            Region::Kanto => "関東",
            Region::Shinetsu => "信越",
            Region::Hokuriku => "北陸",
            Region::Chubu => "中部",
            Region::Kansai => "関西",
            Region::Chugoku => "中国",
            Region::Shikoku => "四国",
            Region::Kyushu => "九州",
            Region::Okinawa => "沖縄",
        }
    }

    /// Position in [`Region::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One prefecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Prefecture {
    /// JIS X 0401 code, 1 (北海道) … 47 (沖縄県).
    pub code: u8,
    /// Full name (`東京都`).
    pub name: &'static str,
    /// Name without the suffix 都/道/府/県 (`東京`; 北海道 stays whole).
    pub short: &'static str,
    /// Lower-case romaji (`tokyo`).
    pub romaji: &'static str,
    /// Delivery region.
    pub region: Region,
}

macro_rules! prefectures {
    ($( $code:literal $name:literal $short:literal $romaji:literal $region:ident ;)*) => {
        /// The 47 prefectures in code order (`PREFECTURES[code - 1]`).
        pub const PREFECTURES: [Prefecture; 47] = [
            $( Prefecture { code: $code, name: $name, short: $short, romaji: $romaji, region: Region::$region }, )*
        ];
    };
}

prefectures! {
    1 "北海道" "北海道" "hokkaido" Hokkaido;
    2 "青森県" "青森" "aomori" NorthTohoku;
    3 "岩手県" "岩手" "iwate" NorthTohoku;
    4 "宮城県" "宮城" "miyagi" SouthTohoku;
    5 "秋田県" "秋田" "akita" NorthTohoku;
    6 "山形県" "山形" "yamagata" SouthTohoku;
    7 "福島県" "福島" "fukushima" SouthTohoku;
    8 "茨城県" "茨城" "ibaraki" Kanto;
    9 "栃木県" "栃木" "tochigi" Kanto;
    10 "群馬県" "群馬" "gunma" Kanto;
    11 "埼玉県" "埼玉" "saitama" Kanto;
    12 "千葉県" "千葉" "chiba" Kanto;
    13 "東京都" "東京" "tokyo" Kanto;
    14 "神奈川県" "神奈川" "kanagawa" Kanto;
    15 "新潟県" "新潟" "niigata" Shinetsu;
    16 "富山県" "富山" "toyama" Hokuriku;
    17 "石川県" "石川" "ishikawa" Hokuriku;
    18 "福井県" "福井" "fukui" Hokuriku;
    19 "山梨県" "山梨" "yamanashi" Kanto;
    20 "長野県" "長野" "nagano" Shinetsu;
    21 "岐阜県" "岐阜" "gifu" Chubu;
    22 "静岡県" "静岡" "shizuoka" Chubu;
    23 "愛知県" "愛知" "aichi" Chubu;
    24 "三重県" "三重" "mie" Chubu;
    25 "滋賀県" "滋賀" "shiga" Kansai;
    26 "京都府" "京都" "kyoto" Kansai;
    27 "大阪府" "大阪" "osaka" Kansai;
    28 "兵庫県" "兵庫" "hyogo" Kansai;
    29 "奈良県" "奈良" "nara" Kansai;
    30 "和歌山県" "和歌山" "wakayama" Kansai;
    31 "鳥取県" "鳥取" "tottori" Chugoku;
    32 "島根県" "島根" "shimane" Chugoku;
    33 "岡山県" "岡山" "okayama" Chugoku;
    34 "広島県" "広島" "hiroshima" Chugoku;
    35 "山口県" "山口" "yamaguchi" Chugoku;
    36 "徳島県" "徳島" "tokushima" Shikoku;
    37 "香川県" "香川" "kagawa" Shikoku;
    38 "愛媛県" "愛媛" "ehime" Shikoku;
    39 "高知県" "高知" "kochi" Shikoku;
    40 "福岡県" "福岡" "fukuoka" Kyushu;
    41 "佐賀県" "佐賀" "saga" Kyushu;
    42 "長崎県" "長崎" "nagasaki" Kyushu;
    43 "熊本県" "熊本" "kumamoto" Kyushu;
    44 "大分県" "大分" "oita" Kyushu;
    45 "宮崎県" "宮崎" "miyazaki" Kyushu;
    46 "鹿児島県" "鹿児島" "kagoshima" Kyushu;
    47 "沖縄県" "沖縄" "okinawa" Okinawa;
}

/// The prefecture with a JIS code.
pub fn by_code(code: u8) -> Option<&'static Prefecture> {
    PREFECTURES.get(usize::from(code).checked_sub(1)?)
}

/// Finds a prefecture by code (`13`, `01`), full name (`東京都`), short name
/// (`東京`) or romaji in any case (`Tokyo`, `tokyo-to` is not accepted). Surrounding
/// whitespace is ignored.
pub fn find(text: &str) -> Option<&'static Prefecture> {
    let t = text.trim();
    if !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u8>().ok().and_then(by_code);
    }
    // A name or short name starts with the same kanji as the text: compare its
    // first bytes before the whole strings.
    let head = t.as_bytes().get(..3);
    PREFECTURES.iter().find(|p| {
        (p.name.as_bytes().get(..3) == head && (p.name == t || p.short == t))
            || p.romaji.eq_ignore_ascii_case(t)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_in_order_and_names_unique() {
        for (i, p) in PREFECTURES.iter().enumerate() {
            assert_eq!(usize::from(p.code), i + 1);
            assert!(p.name.starts_with(p.short));
            assert_eq!(find(p.name).map(|q| q.code), Some(p.code));
            assert_eq!(find(p.short).map(|q| q.code), Some(p.code));
            assert_eq!(find(&p.romaji.to_uppercase()).map(|q| q.code), Some(p.code));
            assert_eq!(
                find(&format!("{:02}", p.code)).map(|q| q.code),
                Some(p.code)
            );
        }
    }

    #[test]
    fn every_region_has_a_prefecture() {
        for r in Region::ALL {
            assert!(PREFECTURES.iter().any(|p| p.region == r), "{r:?}");
            assert_eq!(Region::ALL[r.index()], r);
        }
        let count = |r| PREFECTURES.iter().filter(|p| p.region == r).count();
        assert_eq!(count(Region::Kanto), 8);
        assert_eq!(count(Region::Kyushu), 7);
        assert_eq!(count(Region::Kansai), 6);
    }

    #[test]
    fn unknown_is_none() {
        for t in ["", "0", "48", "99", "123", "東京府", "tokyo-to"] {
            assert!(find(t).is_none(), "{t}");
        }
        assert!(by_code(0).is_none());
        assert!(by_code(48).is_none());
    }
}
