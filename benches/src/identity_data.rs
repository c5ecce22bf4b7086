//! Generated marketplace customers for the identity-resolution benchmarks (名寄せ):
//! the records the issue's speed and accuracy targets are measured on, with the
//! person each record belongs to (`truth`), so that precision and recall can be
//! computed against it.
//!
//! What the data looks like:
//!
//! - about 75% of the records are a person's first order, about 25% a repeat order
//!   of an earlier person on the same or another channel (`rakuten`, `amazon`,
//!   `own_site`; stores `rakuten-main`, `rakuten-outlet`, `amazon-jp`, `own`);
//! - names drawn Zipf-like from 119 family names (with their variant-kanji
//!   spellings: 髙橋, 山﨑, 渡邊/渡邉, 齋藤, 澤田…) and 112 given names, so that common
//!   names (佐藤 翔太) recur across different people: a name alone identifies no
//!   one. A repeat record writes the name with another separator (none, ASCII
//!   space, U+3000), sometimes the other spelling of a variant kanji, and in about
//!   1% of repeat records with a one-character typo (the fuzzy case exact rules
//!   must not merge);
//! - kana in katakana, sometimes hiragana or half-width katakana (empty on Amazon,
//!   which gives no reading);
//! - phones (none on Amazon): mostly mobile 070/080/090, some landlines 03/06,
//!   distinct per person, written in a dozen ways (`+81 90-…`, `(090)…`, full-width
//!   digits, `ー`, `－`, `‐`, `−`, `―`, `ｰ`); about 0.1% of records carry the
//!   placeholder `000-0000-0000`;
//! - e-mails: the person's own address on `own_site` (sometimes upper case, with
//!   `＠`, `。` or surrounding spaces), a relay address `…@pc.fw.rakuten.ne.jp` on
//!   Rakuten and an anonymized `…@marketplace.amazon.co.jp` on Amazon, each stable
//!   per person and store;
//! - postal codes in four forms, one of the 47 prefectures, an address line in
//!   five forms (`港区六本木1-2-3`, `港区六本木１－２－３`, `港区六本木一丁目２番３号`…), a
//!   building and room for some; about 5% of repeat records come from a person who
//!   moved. Addresses are drawn from about 900,000 blocks, so a few different
//!   people of the same name share one (the cases name + address gets wrong);
//! - a Rakuten member id (`rm` + 9 digits, stable per person) on 30% of Rakuten
//!   records.
//!
//! Everything comes from SplitMix64 streams seeded by the caller: the same
//! `(n, seed)` gives the same records, on any number of cores, and the first `k` of
//! them are `generate(k, seed)`. Phones, member ids, own e-mail addresses and relay
//! addresses come from bijections of the person's index, so they are distinct per
//! person (for up to 90,000,000 persons).
//!
//! ```
//! use ichigen_benches::identity_data::{generate, write_csv};
//! let records = generate(1_000, 7);
//! assert_eq!(records.len(), 1_000);
//! assert!(records.iter().filter(|r| r.channel == "amazon").all(|r| r.phone.is_none()));
//! let mut csv = Vec::new();
//! write_csv(&records, &mut csv)?;
//! assert!(csv.starts_with(b"id,channel,store,name,kana,phone,email,"));
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fmt::Write as _;
use std::io::Write;

/// One generated order's customer fields and the person it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenRecord {
    /// The record's id, unique in the batch (`rkm-000000001`…).
    pub id: String,
    /// `rakuten`, `amazon` or `own_site`.
    pub channel: &'static str,
    /// `rakuten-main`, `rakuten-outlet`, `amazon-jp` or `own`.
    pub store: &'static str,
    /// Family and given name as written in the order.
    pub name: String,
    /// The reading as written (empty on Amazon).
    pub kana: String,
    /// The phone as written; `None` on Amazon.
    pub phone: Option<String>,
    /// The e-mail as written.
    pub email: Option<String>,
    /// The postal code as written.
    pub postal_code: Option<String>,
    /// One of the 47 prefectures.
    pub prefecture: Option<String>,
    /// City, town and block numbers as written.
    pub address1: Option<String>,
    /// Building and room, when there is one.
    pub address2: Option<String>,
    /// A marketplace member id (on some Rakuten records).
    pub member_id: Option<String>,
    /// The person: records with the same `truth` are the same customer.
    pub truth: u64,
}

// ---------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for data.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-40 for our `n`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// True with probability `p` percent.
    fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// True with probability `p` per mille.
    fn permille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

/// SplitMix64's finalizer: a bijection on `u64`, so distinct inputs stay distinct.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `x -> (x * a + b) mod m`, a bijection on `0..m` when `a` is coprime with `m`.
fn affine(x: u64, a: u64, b: u64, m: u64) -> u64 {
    ((x % m) * a + b) % m
}

/// Cumulative Zipf-like weights (`1 / (rank + 4)`) for a table of `len` entries.
fn zipf_cumulative(len: usize) -> Vec<u32> {
    let mut total = 0u32;
    (0..len)
        .map(|rank| {
            total += 1_000_000 / (rank as u32 + 4);
            total
        })
        .collect()
}

fn pick_weighted(rng: &mut SplitMix64, cumulative: &[u32]) -> usize {
    let total = cumulative.last().copied().unwrap_or(1);
    let x = rng.below(u64::from(total)) as u32;
    cumulative.partition_point(|&c| c <= x)
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/// Family names, most common first: spellings (the common one first, then the
/// variant-kanji ones normalization folds into it), katakana reading, romaji.
const FAMILIES: &[(&[&str], &str, &str)] = &[
    (&["佐藤"], "サトウ", "sato"),
    (&["鈴木"], "スズキ", "suzuki"),
    (&["高橋", "髙橋"], "タカハシ", "takahashi"),
    (&["田中"], "タナカ", "tanaka"),
    (&["伊藤"], "イトウ", "ito"),
    (&["渡辺", "渡邊", "渡邉"], "ワタナベ", "watanabe"),
    (&["山本"], "ヤマモト", "yamamoto"),
    (&["中村"], "ナカムラ", "nakamura"),
    (&["小林"], "コバヤシ", "kobayashi"),
    (&["加藤"], "カトウ", "kato"),
    (&["吉田", "𠮷田"], "ヨシダ", "yoshida"),
    (&["山田"], "ヤマダ", "yamada"),
    (&["佐々木"], "ササキ", "sasaki"),
    (&["山口"], "ヤマグチ", "yamaguchi"),
    (&["松本"], "マツモト", "matsumoto"),
    (&["井上"], "イノウエ", "inoue"),
    (&["木村"], "キムラ", "kimura"),
    (&["林"], "ハヤシ", "hayashi"),
    (&["斎藤", "齋藤"], "サイトウ", "saito"),
    (&["清水"], "シミズ", "shimizu"),
    (&["山崎", "山﨑", "山嵜"], "ヤマザキ", "yamazaki"),
    (&["森"], "モリ", "mori"),
    (&["池田"], "イケダ", "ikeda"),
    (&["橋本"], "ハシモト", "hashimoto"),
    (&["阿部"], "アベ", "abe"),
    (&["石川"], "イシカワ", "ishikawa"),
    (&["山下"], "ヤマシタ", "yamashita"),
    (&["中島"], "ナカジマ", "nakajima"),
    (&["石井"], "イシイ", "ishii"),
    (&["小川"], "オガワ", "ogawa"),
    (&["前田"], "マエダ", "maeda"),
    (&["岡田"], "オカダ", "okada"),
    (&["長谷川"], "ハセガワ", "hasegawa"),
    (&["藤田"], "フジタ", "fujita"),
    (&["後藤"], "ゴトウ", "goto"),
    (&["近藤"], "コンドウ", "kondo"),
    (&["村上"], "ムラカミ", "murakami"),
    (&["遠藤"], "エンドウ", "endo"),
    (&["青木"], "アオキ", "aoki"),
    (&["坂本"], "サカモト", "sakamoto"),
    (&["斉藤", "齊藤"], "サイトウ", "saito"),
    (&["福田"], "フクダ", "fukuda"),
    (&["太田"], "オオタ", "ota"),
    (&["西村"], "ニシムラ", "nishimura"),
    (&["藤井"], "フジイ", "fujii"),
    (&["金子"], "カネコ", "kaneko"),
    (&["岡本"], "オカモト", "okamoto"),
    (&["藤原"], "フジワラ", "fujiwara"),
    (&["中野"], "ナカノ", "nakano"),
    (&["三浦"], "ミウラ", "miura"),
    (&["原田"], "ハラダ", "harada"),
    (&["中川"], "ナカガワ", "nakagawa"),
    (&["松田"], "マツダ", "matsuda"),
    (&["竹内"], "タケウチ", "takeuchi"),
    (&["小野"], "オノ", "ono"),
    (&["田村"], "タムラ", "tamura"),
    (&["中山"], "ナカヤマ", "nakayama"),
    (&["和田"], "ワダ", "wada"),
    (&["石田"], "イシダ", "ishida"),
    (&["森田"], "モリタ", "morita"),
    (&["上田"], "ウエダ", "ueda"),
    (&["原"], "ハラ", "hara"),
    (&["内田"], "ウチダ", "uchida"),
    (&["柴田"], "シバタ", "shibata"),
    (&["酒井"], "サカイ", "sakai"),
    (&["宮崎", "宮﨑"], "ミヤザキ", "miyazaki"),
    (&["横山"], "ヨコヤマ", "yokoyama"),
    (&["高木", "髙木"], "タカギ", "takagi"),
    (&["安藤"], "アンドウ", "ando"),
    (&["宮本"], "ミヤモト", "miyamoto"),
    (&["大野"], "オオノ", "ono"),
    (&["小島"], "コジマ", "kojima"),
    (&["谷口"], "タニグチ", "taniguchi"),
    (&["工藤"], "クドウ", "kudo"),
    (&["高田", "髙田"], "タカダ", "takada"),
    (&["増田"], "マスダ", "masuda"),
    (&["丸山"], "マルヤマ", "maruyama"),
    (&["今井"], "イマイ", "imai"),
    (&["河野"], "コウノ", "kono"),
    (&["藤本"], "フジモト", "fujimoto"),
    (&["村田"], "ムラタ", "murata"),
    (&["武田"], "タケダ", "takeda"),
    (&["上野"], "ウエノ", "ueno"),
    (&["杉山"], "スギヤマ", "sugiyama"),
    (&["平野"], "ヒラノ", "hirano"),
    (&["大塚"], "オオツカ", "otsuka"),
    (&["千葉"], "チバ", "chiba"),
    (&["久保"], "クボ", "kubo"),
    (&["松井"], "マツイ", "matsui"),
    (&["小山"], "コヤマ", "koyama"),
    (&["岩崎", "岩﨑"], "イワサキ", "iwasaki"),
    (&["桜井", "櫻井"], "サクライ", "sakurai"),
    (&["野口"], "ノグチ", "noguchi"),
    (&["松尾"], "マツオ", "matsuo"),
    (&["菅原"], "スガワラ", "sugawara"),
    (&["木下"], "キノシタ", "kinoshita"),
    (&["野村"], "ノムラ", "nomura"),
    (&["新井"], "アライ", "arai"),
    (&["渡部"], "ワタナベ", "watanabe"),
    (&["沢田", "澤田"], "サワダ", "sawada"),
    (&["浜田", "濱田", "濵田"], "ハマダ", "hamada"),
    (&["広瀬", "廣瀬"], "ヒロセ", "hirose"),
    (&["富田", "冨田"], "トミタ", "tomita"),
    (&["吉川", "𠮷川"], "ヨシカワ", "yoshikawa"),
    (&["柳沢", "柳澤"], "ヤナギサワ", "yanagisawa"),
    (&["大沢", "大澤"], "オオサワ", "osawa"),
    (&["高野", "髙野"], "タカノ", "takano"),
    (&["徳永", "德永"], "トクナガ", "tokunaga"),
    (&["桑原", "桒原"], "クワバラ", "kuwabara"),
    (&["小松"], "コマツ", "komatsu"),
    (&["水野"], "ミズノ", "mizuno"),
    (&["菊地"], "キクチ", "kikuchi"),
    (&["星野"], "ホシノ", "hoshino"),
    (&["長嶋"], "ナガシマ", "nagashima"),
    (&["国分", "國分"], "コクブン", "kokubun"),
    (&["真田", "眞田"], "サナダ", "sanada"),
    (&["舘野", "館野"], "タテノ", "tateno"),
    (&["長瀬", "長瀨"], "ナガセ", "nagase"),
    (&["浜崎", "濱﨑", "浜﨑"], "ハマサキ", "hamasaki"),
];

/// Given names (male), most common first: spellings, reading, romaji.
const GIVEN_M: &[(&[&str], &str, &str)] = &[
    (&["翔太"], "ショウタ", "shota"),
    (&["大翔"], "ヒロト", "hiroto"),
    (&["蓮"], "レン", "ren"),
    (&["健太"], "ケンタ", "kenta"),
    (&["拓也"], "タクヤ", "takuya"),
    (&["大輔"], "ダイスケ", "daisuke"),
    (&["誠"], "マコト", "makoto"),
    (&["浩"], "ヒロシ", "hiroshi"),
    (&["隆"], "タカシ", "takashi"),
    (&["太郎"], "タロウ", "taro"),
    (&["悠真"], "ユウマ", "yuma"),
    (&["湊"], "ミナト", "minato"),
    (&["陽翔"], "ハルト", "haruto"),
    (&["樹"], "イツキ", "itsuki"),
    (&["大輝"], "ダイキ", "daiki"),
    (&["拓海"], "タクミ", "takumi"),
    (&["翔"], "ショウ", "sho"),
    (&["大樹"], "ダイキ", "daiki"),
    (&["直樹"], "ナオキ", "naoki"),
    (&["達也"], "タツヤ", "tatsuya"),
    (&["和也"], "カズヤ", "kazuya"),
    (&["健一"], "ケンイチ", "kenichi"),
    (&["一郎"], "イチロウ", "ichiro"),
    (&["健二"], "ケンジ", "kenji"),
    (&["修"], "オサム", "osamu"),
    (&["学"], "マナブ", "manabu"),
    (&["茂"], "シゲル", "shigeru"),
    (&["清"], "キヨシ", "kiyoshi"),
    (&["博"], "ヒロシ", "hiroshi"),
    (&["進"], "ススム", "susumu"),
    (&["豊"], "ユタカ", "yutaka"),
    (&["実"], "ミノル", "minoru"),
    (&["勇"], "イサム", "isamu"),
    (&["翼"], "ツバサ", "tsubasa"),
    (&["亮"], "リョウ", "ryo"),
    (&["涼介"], "リョウスケ", "ryosuke"),
    (&["雄一"], "ユウイチ", "yuichi"),
    (&["秀樹"], "ヒデキ", "hideki"),
    (&["智也"], "トモヤ", "tomoya"),
    (&["聡"], "サトシ", "satoshi"),
    (&["剛"], "ツヨシ", "tsuyoshi"),
    (&["裕太"], "ユウタ", "yuta"),
    (&["陸"], "リク", "riku"),
    (&["颯太"], "ソウタ", "sota"),
    (&["悠人"], "ユウト", "yuto"),
    (&["海斗"], "カイト", "kaito"),
    (&["航"], "ワタル", "wataru"),
    (&["康介"], "コウスケ", "kosuke"),
    (&["正人"], "マサト", "masato"),
    (&["洋平"], "ヨウヘイ", "yohei"),
    (&["真一", "眞一"], "シンイチ", "shinichi"),
    (&["広志", "廣志"], "ヒロシ", "hiroshi"),
    (&["浩二"], "コウジ", "koji"),
    (&["健太郎"], "ケンタロウ", "kentaro"),
    (&["悠斗"], "ユウト", "yuto"),
    (&["徳雄", "德雄"], "ノリオ", "norio"),
];

/// Given names (female), most common first: spellings, reading, romaji.
const GIVEN_F: &[(&[&str], &str, &str)] = &[
    (&["陽菜"], "ヒナ", "hina"),
    (&["結衣"], "ユイ", "yui"),
    (&["美咲"], "ミサキ", "misaki"),
    (&["葵"], "アオイ", "aoi"),
    (&["さくら"], "サクラ", "sakura"),
    (&["恵子"], "ケイコ", "keiko"),
    (&["陽子"], "ヨウコ", "yoko"),
    (&["優子"], "ユウコ", "yuko"),
    (&["愛"], "アイ", "ai"),
    (&["彩"], "アヤ", "aya"),
    (&["京子"], "キョウコ", "kyoko"),
    (&["幸子"], "サチコ", "sachiko"),
    (&["和子"], "カズコ", "kazuko"),
    (&["洋子"], "ヨウコ", "yoko"),
    (&["直美"], "ナオミ", "naomi"),
    (&["智子"], "トモコ", "tomoko"),
    (&["裕子"], "ユウコ", "yuko"),
    (&["真由美", "眞由美"], "マユミ", "mayumi"),
    (&["久美子"], "クミコ", "kumiko"),
    (&["由美"], "ユミ", "yumi"),
    (&["美穂"], "ミホ", "miho"),
    (&["麻衣"], "マイ", "mai"),
    (&["舞"], "マイ", "mai"),
    (&["彩花"], "アヤカ", "ayaka"),
    (&["七海"], "ナナミ", "nanami"),
    (&["美月"], "ミヅキ", "mizuki"),
    (&["凛"], "リン", "rin"),
    (&["結菜"], "ユイナ", "yuina"),
    (&["莉子"], "リコ", "riko"),
    (&["芽衣"], "メイ", "mei"),
    (&["花子"], "ハナコ", "hanako"),
    (&["明美"], "アケミ", "akemi"),
    (&["恵", "惠"], "メグミ", "megumi"),
    (&["真理", "眞理"], "マリ", "mari"),
    (&["千尋"], "チヒロ", "chihiro"),
    (&["香織"], "カオリ", "kaori"),
    (&["沙織"], "サオリ", "saori"),
    (&["瞳"], "ヒトミ", "hitomi"),
    (&["愛子"], "アイコ", "aiko"),
    (&["奈々"], "ナナ", "nana"),
    (&["友美"], "トモミ", "tomomi"),
    (&["里美"], "サトミ", "satomi"),
    (&["美香"], "ミカ", "mika"),
    (&["理恵", "理惠"], "リエ", "rie"),
    (&["亜希子"], "アキコ", "akiko"),
    (&["千春"], "チハル", "chiharu"),
    (&["綾香"], "アヤカ", "ayaka"),
    (&["遥"], "ハルカ", "haruka"),
    (&["楓"], "カエデ", "kaede"),
    (&["桜子", "櫻子"], "サクラコ", "sakurako"),
    (&["実花", "實花"], "ミカ", "mika"),
    (&["恵美", "惠美"], "エミ", "emi"),
    (&["ゆり"], "ユリ", "yuri"),
    (&["真央", "眞央"], "マオ", "mao"),
    (&["ひかり"], "ヒカリ", "hikari"),
    (&["絵里"], "エリ", "eri"),
];

/// Localities: prefecture, city and town, postal code. Every prefecture has one;
/// the big ones have several, so they are drawn more often.
const LOCALITIES: &[(&str, &str, &str)] = &[
    ("北海道", "札幌市中央区北一条西", "0600001"),
    ("北海道", "旭川市宮下通", "0700030"),
    ("北海道", "函館市本町", "0400011"),
    ("青森県", "青森市柳川", "0300801"),
    ("岩手県", "盛岡市盛岡駅前通", "0200034"),
    ("宮城県", "仙台市青葉区中央", "9800021"),
    ("秋田県", "秋田市中通", "0100001"),
    ("山形県", "山形市香澄町", "9900039"),
    ("福島県", "福島市栄町", "9600031"),
    ("茨城県", "水戸市宮町", "3100015"),
    ("茨城県", "つくば市吾妻", "3050031"),
    ("栃木県", "宇都宮市駅前通り", "3210964"),
    ("群馬県", "前橋市本町", "3710023"),
    ("群馬県", "高崎市八島町", "3700849"),
    ("埼玉県", "さいたま市大宮区桜木町", "3300854"),
    ("埼玉県", "川口市栄町", "3320017"),
    ("埼玉県", "所沢市日吉町", "3590123"),
    ("千葉県", "千葉市中央区富士見", "2600015"),
    ("千葉県", "船橋市本町", "2730005"),
    ("千葉県", "柏市柏", "2770005"),
    ("千葉県", "浦安市舞浜", "2790031"),
    ("東京都", "港区六本木", "1060032"),
    ("東京都", "渋谷区神南", "1500041"),
    ("東京都", "新宿区西新宿", "1600023"),
    ("東京都", "世田谷区三軒茶屋", "1540024"),
    ("東京都", "千代田区丸の内", "1000005"),
    ("東京都", "中央区銀座", "1040061"),
    ("東京都", "品川区大崎", "1410032"),
    ("東京都", "目黒区自由が丘", "1520035"),
    ("東京都", "杉並区高円寺南", "1660003"),
    ("東京都", "練馬区石神井町", "1770041"),
    ("東京都", "八王子市旭町", "1920083"),
    ("東京都", "武蔵野市吉祥寺本町", "1800004"),
    ("東京都", "江東区豊洲", "1350061"),
    ("東京都", "大田区蒲田", "1440052"),
    ("神奈川県", "横浜市西区みなとみらい", "2200012"),
    ("神奈川県", "川崎市中原区小杉町", "2110063"),
    ("神奈川県", "横浜市青葉区美しが丘", "2250002"),
    ("神奈川県", "藤沢市鵠沼石上", "2510025"),
    ("神奈川県", "相模原市中央区相模原", "2520231"),
    ("新潟県", "新潟市中央区万代", "9500088"),
    ("富山県", "富山市桜町", "9300003"),
    ("石川県", "金沢市広岡", "9200031"),
    ("福井県", "福井市中央", "9100006"),
    ("山梨県", "甲府市丸の内", "4000031"),
    ("長野県", "長野市南長野", "3800838"),
    ("岐阜県", "岐阜市橋本町", "5008856"),
    ("静岡県", "静岡市葵区紺屋町", "4200852"),
    ("静岡県", "浜松市中央区砂山町", "4300926"),
    ("愛知県", "名古屋市中村区名駅", "4500002"),
    ("愛知県", "名古屋市中区栄", "4600008"),
    ("愛知県", "豊田市小坂本町", "4710034"),
    ("愛知県", "岡崎市康生通西", "4440052"),
    ("三重県", "津市羽所町", "5140009"),
    ("滋賀県", "大津市春日町", "5200055"),
    ("京都府", "京都市下京区烏丸通", "6008216"),
    ("京都府", "京都市中京区河原町", "6048005"),
    ("大阪府", "大阪市北区梅田", "5300001"),
    ("大阪府", "大阪市中央区難波", "5420076"),
    ("大阪府", "堺市堺区大町東", "5900952"),
    ("大阪府", "豊中市新千里東町", "5600082"),
    ("大阪府", "吹田市江坂町", "5640063"),
    ("兵庫県", "神戸市中央区三宮町", "6500021"),
    ("兵庫県", "姫路市駅前町", "6700927"),
    ("兵庫県", "西宮市甲子園町", "6630152"),
    ("奈良県", "奈良市三条本町", "6308122"),
    ("和歌山県", "和歌山市美園町", "6400331"),
    ("鳥取県", "鳥取市東品治町", "6800835"),
    ("島根県", "松江市朝日町", "6900003"),
    ("岡山県", "岡山市北区駅前町", "7000023"),
    ("広島県", "広島市中区紙屋町", "7300031"),
    ("山口県", "下関市竹崎町", "7500025"),
    ("徳島県", "徳島市寺島本町西", "7700831"),
    ("香川県", "高松市浜ノ町", "7600011"),
    ("愛媛県", "松山市湊町", "7900012"),
    ("高知県", "高知市北本町", "7800056"),
    ("福岡県", "福岡市博多区博多駅前", "8120011"),
    ("福岡県", "福岡市中央区天神", "8100001"),
    ("福岡県", "北九州市小倉北区京町", "8020002"),
    ("佐賀県", "佐賀市駅前中央", "8400801"),
    ("長崎県", "長崎市尾上町", "8500058"),
    ("熊本県", "熊本市中央区手取本町", "8600808"),
    ("大分県", "大分市要町", "8700831"),
    ("宮崎県", "宮崎市錦町", "8800811"),
    ("鹿児島県", "鹿児島市中央町", "8900053"),
    ("沖縄県", "那覇市久茂地", "9000015"),
];

const BUILDINGS: &[&str] = &[
    "メゾン桜",
    "コーポ山田",
    "グランドハイツ",
    "サンシャインマンション",
    "パークハウス",
    "レジデンス東",
    "ハイツ緑ヶ丘",
    "ライオンズマンション",
    "シティタワー",
    "ドミール南",
    "ロイヤルコート",
    "エスポワール",
];

const MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.co.jp",
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "icloud.com",
    "outlook.jp",
    "softbank.ne.jp",
    "i.softbank.jp",
    "hotmail.co.jp",
    "nifty.com",
    "biglobe.ne.jp",
    "au.com",
];

/// Channel, store, record-id prefix.
const STORES: [(&str, &str, &str); 4] = [
    ("rakuten", "rakuten-main", "rkm-"),
    ("rakuten", "rakuten-outlet", "rko-"),
    ("amazon", "amazon-jp", "amz-"),
    ("own_site", "own", "own-"),
];
const AMAZON: u8 = 2;
const OWN: u8 = 3;

/// What is written between family and given name.
const NAME_SEPARATORS: &[&str] = &["", " ", "\u{3000}", "\u{3000}", "  "];
/// Hyphen-like characters seen in phones and addresses.
const HYPHENS: &[char] = &['ー', '－', '‐', '−', '―', 'ｰ'];
/// Kanji a one-character typo puts into a given name (none is a variant of another).
const TYPO_KANJI: &[char] = &[
    '太', '大', '子', '一', '美', '介', '也', '之', '夫', '雄', '男', '代',
];
const KANJI_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Half-width forms of U+30A1 ァ ..= U+30F6 ヶ.
const HALF_WIDTH: [&str; 86] = [
    "ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ", "ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ", "ｸﾞ", "ｹ", "ｹﾞ", "ｺ",
    "ｺﾞ", "ｻ", "ｻﾞ", "ｼ", "ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ", "ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ",
    "ﾃﾞ", "ﾄ", "ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ", "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ",
    "ﾍﾟ", "ﾎ", "ﾎﾞ", "ﾎﾟ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ", "ﾕ", "ｮ", "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ",
    "ﾛ", "ﾜ", "ﾜ", "ｲ", "ｴ", "ｦ", "ﾝ", "ｳﾞ", "ｶ", "ｹ",
];

// ---------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Address {
    locality: u16,
    chome: u8,
    ban: u8,
    go: u8,
    /// Building index and room number.
    building: Option<(u8, u16)>,
}

#[derive(Debug, Clone, Copy)]
struct Person {
    family: u16,
    family_spelling: u8,
    female: bool,
    given: u16,
    given_spelling: u8,
    /// 0..3: mobile 070/080/090; 3..5: landline 03/06.
    phone_area: u8,
    email_form: u8,
    email_domain: u8,
    address: Address,
    /// Store index of the person's last record.
    last_store: u8,
}

impl Person {
    fn given_table(&self) -> &'static [(&'static [&'static str], &'static str, &'static str)] {
        if self.female { GIVEN_F } else { GIVEN_M }
    }
}

struct Tables {
    family: Vec<u32>,
    given_m: Vec<u32>,
    given_f: Vec<u32>,
}

fn new_address(rng: &mut SplitMix64) -> Address {
    Address {
        locality: rng.index(LOCALITIES.len()) as u16,
        chome: 1 + rng.below(9) as u8,
        ban: 1 + rng.below(40) as u8,
        go: 1 + rng.below(30) as u8,
        building: rng
            .pct(40)
            .then(|| (rng.index(BUILDINGS.len()) as u8, room(rng))),
    }
}

fn room(rng: &mut SplitMix64) -> u16 {
    (1 + rng.below(12) as u16) * 100 + 1 + rng.below(8) as u16
}

fn new_person(rng: &mut SplitMix64, t: &Tables) -> Person {
    let family = pick_weighted(rng, &t.family);
    let female = rng.pct(50);
    let given = pick_weighted(rng, if female { &t.given_f } else { &t.given_m });
    let given_table = if female { GIVEN_F } else { GIVEN_M };
    // A quarter of the people whose name has a variant spelling use it.
    let spelling = |rng: &mut SplitMix64, n: usize| {
        if n > 1 && rng.pct(25) {
            1 + rng.index(n - 1) as u8
        } else {
            0
        }
    };
    let family_spelling = spelling(rng, FAMILIES[family].0.len());
    let given_spelling = spelling(rng, given_table[given].0.len());
    let phone_area = if rng.pct(10) {
        3 + rng.below(2) as u8
    } else {
        rng.below(3) as u8
    };
    Person {
        family: family as u16,
        family_spelling,
        female,
        given: given as u16,
        given_spelling,
        phone_area,
        email_form: rng.below(4) as u8,
        email_domain: rng.index(MAIL_DOMAINS.len()) as u8,
        address: new_address(rng),
        last_store: 0,
    }
}

fn pick_store(rng: &mut SplitMix64) -> u8 {
    match rng.below(100) {
        0..34 => 0,
        34..45 => 1,
        45..80 => AMAZON,
        _ => OWN,
    }
}

// ---------------------------------------------------------------------------
// Writing fields the ways people write them
// ---------------------------------------------------------------------------

/// `n` in decimal, zero-padded to `width` digits (no `fmt` machinery: this runs
/// several times per record).
fn push_num(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    while n > 0 || digits.len() - i < width.max(1) {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

fn push_full_width_digits(out: &mut String, s: &str) {
    for c in s.chars() {
        match c.to_digit(10) {
            Some(d) => out.push(char::from_u32(0xFF10 + d).unwrap_or(c)),
            None => out.push(c),
        }
    }
}

/// The text in `buf` as a string of its own, exactly as long as it (so a million
/// records do not carry a million spare capacities), and `buf` cleared for the next.
fn take(buf: &mut String) -> String {
    let s = String::from(buf.as_str());
    buf.clear();
    s
}

fn name_text(out: &mut String, rng: &mut SplitMix64, p: &Person, repeat: bool, typo: bool) {
    let (family_spellings, ..) = FAMILIES[p.family as usize];
    let (given_spellings, ..) = p.given_table()[p.given as usize];
    let mut fam = p.family_spelling as usize;
    let mut giv = p.given_spelling as usize;
    if repeat && family_spellings.len() > 1 && rng.pct(20) {
        fam = rng.index(family_spellings.len());
    }
    if repeat && given_spellings.len() > 1 && rng.pct(20) {
        giv = rng.index(given_spellings.len());
    }
    out.push_str(family_spellings[fam]);
    out.push_str(rng.pick(NAME_SEPARATORS));
    if typo {
        let given: Vec<char> = given_spellings[giv].chars().collect();
        let at = rng.index(given.len());
        let mut with = rng.pick(TYPO_KANJI);
        while with == given[at] {
            with = rng.pick(TYPO_KANJI);
        }
        for (i, &c) in given.iter().enumerate() {
            out.push(if i == at { with } else { c });
        }
    } else {
        out.push_str(given_spellings[giv]);
    }
}

fn push_kana(out: &mut String, katakana: &str, script: u64) {
    for c in katakana.chars() {
        let code = c as u32;
        let kana = (0x30A1..=0x30F6).contains(&code);
        match script {
            // hiragana
            1 if kana => out.push(char::from_u32(code - 0x60).unwrap_or(c)),
            // half-width katakana
            2 if kana => out.push_str(HALF_WIDTH[(code - 0x30A1) as usize]),
            2 if c == 'ー' => out.push('ｰ'),
            _ => out.push(c),
        }
    }
}

fn kana_text(out: &mut String, rng: &mut SplitMix64, p: &Person) {
    let (_, family, _) = FAMILIES[p.family as usize];
    let (_, given, _) = p.given_table()[p.given as usize];
    let script = match rng.below(100) {
        0..80 => 0,
        80..92 => 1,
        _ => 2,
    };
    push_kana(out, family, script);
    out.push_str(rng.pick(NAME_SEPARATORS));
    push_kana(out, given, script);
}

/// The person's national number split as written (`090`, `1234`, `5678`).
fn phone_parts(index: u64, area: u8) -> (&'static str, u64, u64) {
    // 10,000,000..100,000,000: eight digits without a leading zero; the multiplier
    // is coprime with 90,000,000, so distinct persons get distinct numbers.
    let subscriber = 10_000_000 + affine(index, 37_419_431, 12_345_679, 90_000_000);
    let area = ["070", "080", "090", "03", "06"][area as usize];
    (area, subscriber / 10_000, subscriber % 10_000)
}

fn phone_text(out: &mut String, rng: &mut SplitMix64, index: u64, area: u8) {
    if rng.permille(1) {
        out.push_str("000-0000-0000");
        return;
    }
    let (a, b, c) = phone_parts(index, area);
    let trunk = &a[1..];
    let (head, first, second) = match rng.below(100) {
        0..35 => (a, '-', '-'),
        35..55 => (a, '\0', '\0'),
        55..63 => {
            out.push_str("+81 ");
            (trunk, '-', '-')
        }
        63..70 => {
            out.push_str("+81-");
            (trunk, '-', '-')
        }
        70..75 => {
            out.push('(');
            out.push_str(a);
            (")", '\0', '-')
        }
        75..85 => {
            let h = rng.pick(&['－', 'ー', '−']);
            push_full_width_digits(out, &format!("{a}{h}{b:04}{h}{c:04}"));
            return;
        }
        _ => {
            let h = rng.pick(HYPHENS);
            (a, h, h)
        }
    };
    out.push_str(head);
    if first != '\0' {
        out.push(first);
    }
    push_num(out, b, 4);
    if second != '\0' {
        out.push(second);
    }
    push_num(out, c, 4);
}

/// Base-32 letters of a 64-bit value (13 characters), for relay addresses.
fn base32(mut x: u64, out: &mut String) {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    for _ in 0..13 {
        out.push(char::from(ALPHABET[(x & 31) as usize]));
        x >>= 5;
    }
}

/// The person's own address, as the person would type it correctly.
fn real_email(out: &mut String, index: u64, p: &Person) {
    let (_, _, family) = FAMILIES[p.family as usize];
    let (_, _, given) = p.given_table()[p.given as usize];
    // 3,571 is coprime with 10,000,000: the number is distinct per person.
    let k = affine(index, 3_571, 424_242, 10_000_000);
    let domain = MAIL_DOMAINS[p.email_domain as usize];
    let _ = match p.email_form {
        0 => write!(out, "{given}.{family}"),
        1 => write!(out, "{family}{given}"),
        2 => write!(out, "{given}_{family}."),
        _ => write!(out, "{given}"),
    };
    push_num(out, k, 1);
    if index >= 10_000_000 {
        let _ = write!(out, "x{}", index / 10_000_000);
    }
    out.push('@');
    out.push_str(domain);
}

fn email_text(out: &mut String, rng: &mut SplitMix64, index: u64, p: &Person, store: u8) {
    if store != OWN {
        // Relay (Rakuten) or anonymized (Amazon): a bijection of (person, store).
        base32(mix((index << 2 | u64::from(store)) ^ 0x5EED_1DE7), out);
        out.push_str(if store == AMAZON {
            "@marketplace.amazon.co.jp"
        } else {
            "@pc.fw.rakuten.ne.jp"
        });
        return;
    }
    let form = rng.below(100);
    if form < 80 {
        real_email(out, index, p);
        return;
    }
    let mut real = String::with_capacity(48);
    real_email(&mut real, index, p);
    match form {
        80..83 => out.push_str(&real.to_uppercase()),
        83..86 => {
            if let Some(first) = real.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            out.push_str(&real);
        }
        86..91 => out.push_str(&real.replace('@', "＠")),
        91..94 => {
            let _ = write!(out, " {real} ");
        }
        94..96 => {
            let _ = write!(out, "{real}\u{3000}");
        }
        96..98 => {
            let at = real.find('@').unwrap_or(0);
            out.push_str(&real[..at]);
            out.push_str(&real[at..].replace('.', "。"));
        }
        _ => out.extend(real.chars().map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })),
    }
}

fn postal_text(out: &mut String, rng: &mut SplitMix64, code: &str) {
    let (head, tail) = code.split_at(3);
    let _ = match rng.below(100) {
        0..60 => write!(out, "{head}-{tail}"),
        60..85 => write!(out, "{code}"),
        85..95 => write!(out, "〒{head}-{tail}"),
        _ => {
            out.push('〒');
            push_full_width_digits(out, &format!("{head}－{tail}"));
            Ok(())
        }
    };
}

fn address1_text(out: &mut String, rng: &mut SplitMix64, a: &Address) {
    let (_, town, _) = LOCALITIES[a.locality as usize];
    let (c, b, g) = (a.chome, a.ban, a.go);
    out.push_str(town);
    let _ = match rng.below(100) {
        0..55 => {
            push_num(out, c.into(), 1);
            out.push('-');
            push_num(out, b.into(), 1);
            out.push('-');
            push_num(out, g.into(), 1);
            Ok(())
        }
        55..70 => {
            push_full_width_digits(out, &format!("{c}－{b}－{g}"));
            Ok(())
        }
        70..80 => {
            out.push_str(KANJI_DIGITS[c as usize]);
            out.push_str("丁目");
            push_full_width_digits(out, &format!("{b}番{g}号"));
            Ok(())
        }
        80..88 => write!(out, "{c}丁目{b}番{g}号"),
        _ => {
            let h = rng.pick(HYPHENS);
            write!(out, "{c}{h}{b}{h}{g}")
        }
    };
}

/// Building and room; false (nothing written) when the address has no building.
fn address2_text(out: &mut String, rng: &mut SplitMix64, a: &Address) -> bool {
    let Some((building, room)) = a.building else {
        return false;
    };
    let name = BUILDINGS[building as usize];
    let _ = match rng.below(100) {
        0..50 => write!(out, "{name} {room}"),
        50..70 => write!(out, "{name}\u{3000}{room}"),
        70..85 => write!(out, "{name}{room}"),
        _ => {
            let _ = write!(out, "{name}\u{3000}");
            push_full_width_digits(out, &room.to_string());
            Ok(())
        }
    };
    true
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

/// One record decided: whose it is, where it was placed, the person as they were
/// then (address included), and whether it is a repeat and has a typo.
#[derive(Debug, Clone, Copy)]
struct Plan {
    person: Person,
    index: u64,
    store: u8,
    repeat: bool,
}

/// `n` records from `seed`: about 75% first orders of new people, 25% repeat
/// orders of earlier ones (see the module documentation for what varies).
///
/// Who places each order (and who moved) is decided in one sequential pass; the
/// text of each record then comes from a random stream of its own, derived from
/// `seed` and the record's position, so the records are written on every core and
/// the result does not depend on how many there are.
pub fn generate(n: usize, seed: u64) -> Vec<GenRecord> {
    let plans = plan(n, seed);
    let text_seed = mix(seed ^ 0x7E47_5EED);
    let threads = if n < 50_000 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |t| t.get().min(8))
    };
    let chunk = n.div_ceil(threads).max(1);
    let mut records = Vec::with_capacity(n);
    records.resize_with(n, GenRecord::empty);
    std::thread::scope(|s| {
        for (c, (out, plans)) in records
            .chunks_mut(chunk)
            .zip(plans.chunks(chunk))
            .enumerate()
        {
            s.spawn(move || {
                let mut buf = String::with_capacity(256);
                for (k, (record, plan)) in out.iter_mut().zip(plans).enumerate() {
                    let i = c * chunk + k;
                    let mut rng = SplitMix64(mix(text_seed ^ i as u64));
                    *record = build(i, plan, &mut rng, &mut buf);
                }
            });
        }
    });
    records
}

impl GenRecord {
    fn empty() -> GenRecord {
        GenRecord {
            id: String::new(),
            channel: "",
            store: "",
            name: String::new(),
            kana: String::new(),
            phone: None,
            email: None,
            postal_code: None,
            prefecture: None,
            address1: None,
            address2: None,
            member_id: None,
            truth: 0,
        }
    }
}

/// The sequential part: who orders where, and who moved since their last order.
fn plan(n: usize, seed: u64) -> Vec<Plan> {
    let mut rng = SplitMix64(seed ^ 0x1D_E471_7E5E);
    let tables = Tables {
        family: zipf_cumulative(FAMILIES.len()),
        given_m: zipf_cumulative(GIVEN_M.len()),
        given_f: zipf_cumulative(GIVEN_F.len()),
    };
    let mut people: Vec<Person> = Vec::with_capacity(n - n / 4 + 16);
    let mut plans = Vec::with_capacity(n);
    for _ in 0..n {
        let repeat = !people.is_empty() && rng.pct(25);
        let (index, store) = if repeat {
            let index = rng.index(people.len());
            let p = &mut people[index];
            // Moved since the last order.
            if rng.pct(5) {
                p.address = new_address(&mut rng);
            }
            let store = if rng.pct(55) {
                p.last_store
            } else {
                pick_store(&mut rng)
            };
            (index, store)
        } else {
            people.push(new_person(&mut rng, &tables));
            (people.len() - 1, pick_store(&mut rng))
        };
        let p = &mut people[index];
        p.last_store = store;
        plans.push(Plan {
            person: *p,
            index: index as u64,
            store,
            repeat,
        });
    }
    plans
}

/// The text of record `i` from its plan.
fn build(i: usize, plan: &Plan, rng: &mut SplitMix64, buf: &mut String) -> GenRecord {
    let Plan {
        person: p,
        index: idx,
        store,
        repeat,
    } = *plan;
    let (channel, store_name, prefix) = STORES[store as usize];
    buf.push_str(prefix);
    push_num(buf, i as u64, 9);
    let id = take(buf);
    let typo = repeat && rng.pct(1);
    name_text(buf, rng, &p, repeat, typo);
    let name = take(buf);
    if store != AMAZON {
        kana_text(buf, rng, &p);
    }
    let kana = take(buf);
    let phone = (store != AMAZON).then(|| {
        phone_text(buf, rng, idx, p.phone_area);
        take(buf)
    });
    email_text(buf, rng, idx, &p, store);
    let email = Some(take(buf));
    let (prefecture, _, postal) = LOCALITIES[p.address.locality as usize];
    postal_text(buf, rng, postal);
    let postal_code = Some(take(buf));
    address1_text(buf, rng, &p.address);
    let address1 = Some(take(buf));
    let address2 = address2_text(buf, rng, &p.address).then(|| take(buf));
    let member_id = (store < AMAZON && rng.pct(30)).then(|| {
        buf.push_str("rm");
        push_num(buf, affine(idx, 982_451, 31_337, 1_000_000_000), 9);
        take(buf)
    });
    GenRecord {
        id,
        channel,
        store: store_name,
        name,
        kana,
        phone,
        email,
        postal_code,
        prefecture: Some(prefecture.to_owned()),
        address1,
        address2,
        member_id,
        truth: idx,
    }
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/// The CSV header [`write_csv`] writes.
pub const CSV_HEADER: &str = "id,channel,store,name,kana,phone,email,postal_code,prefecture,address1,address2,member_id,truth";

fn push_field(out: &mut Vec<u8>, field: &str) {
    let needs_quotes = field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || field.starts_with(char::is_whitespace)
        || field.ends_with(char::is_whitespace);
    if needs_quotes {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// Writes `records` as CSV (RFC 4180: CRLF-free `\n` lines, a field quoted when it
/// holds a comma, a quote or a line break, or starts or ends with whitespace so
/// that readers which trim keep it; an absent field is empty), header first.
pub fn write_csv(records: &[GenRecord], mut w: impl Write) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 20);
    buf.extend_from_slice(CSV_HEADER.as_bytes());
    buf.push(b'\n');
    for r in records {
        push_field(&mut buf, &r.id);
        for field in [r.channel, r.store, &r.name, &r.kana] {
            buf.push(b',');
            push_field(&mut buf, field);
        }
        for field in [
            &r.phone,
            &r.email,
            &r.postal_code,
            &r.prefecture,
            &r.address1,
            &r.address2,
            &r.member_id,
        ] {
            buf.push(b',');
            if let Some(f) = field {
                push_field(&mut buf, f);
            }
        }
        buf.push(b',');
        buf.extend_from_slice(r.truth.to_string().as_bytes());
        buf.push(b'\n');
        if buf.len() >= 1 << 20 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    /// Digits of a written phone as a national number (`+81 90…` -> `090…`).
    fn national(phone: &str) -> String {
        let digits: String = phone
            .chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c),
                '０'..='９' => char::from_u32(c as u32 - 0xFF10 + u32::from(b'0')),
                _ => None,
            })
            .collect();
        match digits.strip_prefix("81") {
            Some(rest) if phone.trim_start().starts_with('+') => format!("0{rest}"),
            _ => digits,
        }
    }

    #[test]
    fn same_seed_same_records_other_seed_other_records() {
        let a = generate(5_000, 42);
        assert_eq!(a, generate(5_000, 42));
        assert_ne!(a, generate(5_000, 43));
    }

    #[test]
    fn records_do_not_depend_on_the_batch_size_or_the_threads() {
        // 40,000 records are written on one thread, 120,000 on every core.
        let few = generate(40_000, 9);
        let many = generate(120_000, 9);
        assert_eq!(few[..], many[..40_000]);
    }

    #[test]
    fn a_quarter_are_repeat_orders() {
        let records = generate(100_000, 1);
        let persons: HashSet<u64> = records.iter().map(|r| r.truth).collect();
        let repeats = records.len() - persons.len();
        assert!((23_500..=26_500).contains(&repeats), "{repeats} repeats");
        // Repeats land on other channels too.
        let mut channels: HashMap<u64, HashSet<&str>> = HashMap::new();
        for r in &records {
            channels.entry(r.truth).or_default().insert(r.channel);
        }
        let cross = channels.values().filter(|c| c.len() > 1).count();
        assert!(cross > 5_000, "{cross} persons on several channels");
    }

    #[test]
    fn amazon_has_no_phone_and_marketplace_addresses_are_per_store() {
        let records = generate(50_000, 2);
        let mut relay: HashMap<(u64, &str), &str> = HashMap::new();
        for r in &records {
            let email = r.email.as_deref().unwrap_or_default();
            match r.channel {
                "amazon" => {
                    assert!(r.phone.is_none());
                    assert!(r.kana.is_empty());
                    assert!(email.ends_with("@marketplace.amazon.co.jp"));
                }
                "rakuten" => assert!(email.ends_with("@pc.fw.rakuten.ne.jp")),
                _ => assert!(r.phone.is_some() && r.member_id.is_none()),
            }
            if r.channel != "own_site" {
                let seen = relay.entry((r.truth, r.store)).or_insert(email);
                assert_eq!(*seen, email, "relay address stable per person and store");
            }
        }
        let distinct: HashSet<&str> = relay.values().copied().collect();
        assert_eq!(distinct.len(), relay.len(), "relay addresses distinct");
    }

    #[test]
    fn phones_and_member_ids_are_distinct_per_person() {
        let records = generate(50_000, 3);
        let mut phones: HashMap<String, u64> = HashMap::new();
        let mut members: HashMap<&str, u64> = HashMap::new();
        let mut placeholders = 0;
        let mut forms = HashSet::new();
        for r in &records {
            if let Some(p) = &r.phone {
                if p == "000-0000-0000" {
                    placeholders += 1;
                    continue;
                }
                forms.insert(
                    p.chars()
                        .filter(|c| !c.is_ascii_digit())
                        .collect::<String>(),
                );
                let n = national(p);
                assert!(n.len() == 10 || n.len() == 11, "{p} -> {n}");
                assert_eq!(*phones.entry(n).or_insert(r.truth), r.truth, "{p}");
            }
            if let Some(m) = &r.member_id {
                assert_eq!(*members.entry(m).or_insert(r.truth), r.truth);
            }
        }
        assert!((5..=120).contains(&placeholders), "{placeholders}");
        assert!(forms.len() > 10, "{forms:?}");
    }

    #[test]
    fn names_repeat_across_people() {
        let records = generate(100_000, 4);
        let mut by_name: HashMap<(u16, u16, bool), HashSet<u64>> = HashMap::new();
        let mut rng = SplitMix64(4 ^ 0x1D_E471_7E5E);
        let tables = Tables {
            family: zipf_cumulative(FAMILIES.len()),
            given_m: zipf_cumulative(GIVEN_M.len()),
            given_f: zipf_cumulative(GIVEN_F.len()),
        };
        for i in 0..50_000u64 {
            let p = new_person(&mut rng, &tables);
            by_name
                .entry((p.family, p.given, p.female))
                .or_default()
                .insert(i);
        }
        let largest = by_name.values().map(HashSet::len).max().unwrap_or(0);
        assert!(
            largest > 20,
            "the most common name is held by {largest} people"
        );
        assert!(FAMILIES.len() >= 100 && GIVEN_M.len() + GIVEN_F.len() >= 100);
        // Spelling variants and separators show up in the written names.
        let written: HashSet<&str> = records.iter().map(|r| r.name.as_str()).collect();
        assert!(written.iter().any(|n| n.starts_with("髙橋")));
        assert!(written.iter().any(|n| n.contains('\u{3000}')));
        assert!(written.iter().any(|n| n.starts_with("渡邉")));
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let records = generate(2_000, 5);
        let mut out = Vec::new();
        write_csv(&records, &mut out).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER));
        assert_eq!(lines.count(), records.len());
        let mut buf = Vec::new();
        push_field(&mut buf, " a\"b ");
        assert_eq!(buf, b"\" a\"\"b \"");
    }
}
