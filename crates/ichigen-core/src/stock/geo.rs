//! Approximate positions of the 47 prefectural offices, for ranking locations by
//! distance to a destination. Integer hundredths of a degree; only the order of
//! distances matters, so a flat projection is good enough.

/// (latitude, longitude) of each prefectural office in hundredths of a degree,
/// indexed by JIS code − 1.
const OFFICES: [(i32, i32); 47] = [
    (4306, 14135), // 北海道 札幌
    (4082, 14074), // 青森
    (3970, 14115), // 岩手 盛岡
    (3827, 14087), // 宮城 仙台
    (3972, 14010), // 秋田
    (3824, 14036), // 山形
    (3775, 14047), // 福島
    (3634, 14045), // 茨城 水戸
    (3657, 13988), // 栃木 宇都宮
    (3639, 13906), // 群馬 前橋
    (3586, 13965), // 埼玉 さいたま
    (3561, 14012), // 千葉
    (3569, 13969), // 東京 新宿
    (3545, 13964), // 神奈川 横浜
    (3790, 13902), // 新潟
    (3670, 13721), // 富山
    (3659, 13663), // 石川 金沢
    (3607, 13622), // 福井
    (3566, 13857), // 山梨 甲府
    (3665, 13818), // 長野
    (3539, 13672), // 岐阜
    (3498, 13838), // 静岡
    (3518, 13691), // 愛知 名古屋
    (3473, 13651), // 三重 津
    (3500, 13587), // 滋賀 大津
    (3502, 13576), // 京都
    (3469, 13552), // 大阪
    (3469, 13518), // 兵庫 神戸
    (3469, 13583), // 奈良
    (3423, 13517), // 和歌山
    (3550, 13424), // 鳥取
    (3547, 13305), // 島根 松江
    (3466, 13393), // 岡山
    (3440, 13246), // 広島
    (3419, 13147), // 山口
    (3407, 13456), // 徳島
    (3434, 13404), // 香川 高松
    (3384, 13277), // 愛媛 松山
    (3356, 13353), // 高知
    (3361, 13042), // 福岡
    (3325, 13030), // 佐賀
    (3274, 12987), // 長崎
    (3279, 13074), // 熊本
    (3324, 13161), // 大分
    (3191, 13142), // 宮崎
    (3156, 13056), // 鹿児島
    (2621, 12768), // 沖縄 那覇
];

/// A number that grows with the distance between two prefectures (JIS codes);
/// `u64::MAX` when either code is unknown.
pub(crate) fn distance(a: u8, b: u8) -> u64 {
    let (Some(&(la, oa)), Some(&(lb, ob))) = (
        OFFICES.get(usize::from(a).wrapping_sub(1)),
        OFFICES.get(usize::from(b).wrapping_sub(1)),
    ) else {
        return u64::MAX;
    };
    let dy = i64::from(la - lb);
    // A degree of longitude is about 0.82 of a degree of latitude at 35°N.
    let dx = i64::from(oa - ob) * 82 / 100;
    (dy * dy + dx * dx) as u64
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn neighbours_are_nearer_than_far_prefectures() {
        // 東京 (13): 神奈川 (14) is nearer than 大阪 (27), which is nearer than 沖縄 (47).
        assert!(distance(13, 14) < distance(13, 27));
        assert!(distance(13, 27) < distance(13, 47));
        // 大阪 (27): 兵庫 (28) nearer than 東京 (13); 福岡 (40) nearer to 佐賀 than to 北海道.
        assert!(distance(27, 28) < distance(27, 13));
        assert!(distance(40, 41) < distance(40, 1));
        assert_eq!(distance(13, 13), 0);
        assert_eq!(distance(0, 13), u64::MAX);
        assert_eq!(distance(13, 48), u64::MAX);
    }
}
