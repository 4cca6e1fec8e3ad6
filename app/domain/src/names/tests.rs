//! The index as officers use it: spelling families find each other, across scripts.

use super::*;
use proptest::prelude::*;

/// An index of a few people, some Arabic-only, some Latin-only, some both.
fn office() -> NameIndex {
    let mut ix = NameIndex::new();
    let people: &[(u64, &[&str])] = &[
        (1, &["محمد العلوي"]),
        (2, &["Mohamed Alaoui"]),
        (3, &["Muhammad Bennani", "محمد بناني"]),
        (4, &["Youssef Tazi"]),
        (5, &["يوسف التازي"]),
        (6, &["Younes Tazi"]),
        (7, &["Abdelkader Fassi"]),
        (8, &["عبد القادر الفاسي"]),
        (9, &["Aminata Ouédraogo"]),
        (10, &["Mamadou Jallow"]),
        (11, &["Ahmed Aït Baha"]),
        (12, &["أحمد آيت باها"]),
        (13, &["Mahmoud Alaoui"]),
        (14, &["Fatima Zahra El Idrissi", "فاطمة الزهراء الإدريسي"]),
        (15, &["Khadija Ayt Ali"]),
    ];
    for (id, names) in people {
        ix.insert(*id, names);
    }
    ix
}

fn ids(found: &[NameMatch]) -> Vec<u64> {
    found.iter().map(|m| m.id).collect()
}

fn likely(found: &[NameMatch]) -> Vec<u64> {
    found
        .iter()
        .filter(|m| m.strength == MatchStrength::Likely)
        .map(|m| m.id)
        .collect()
}

/// Every spelling of `family` (used alone as the query) finds all of `expected` as Likely.
fn finds_all(ix: &NameIndex, spellings: &[&str], expected: &[u64]) {
    for s in spellings {
        let found = ix.search(s, 20);
        let l = likely(&found);
        for id in expected {
            assert!(l.contains(id), "{s} should find {id} as Likely: {found:?}");
        }
    }
}

#[test]
fn mohamed_in_every_spelling_and_script() {
    let ix = office();
    finds_all(
        &ix,
        &[
            "محمد", "Mohamed", "Mohammed", "Muhammad", "Mohammad", "Mhamed",
        ],
        &[1, 2, 3],
    );
    // Mahmoud shares the skeleton but is another name: at most Possible.
    for q in ["Mohamed", "محمد", "Mohammed"] {
        assert!(!likely(&ix.search(q, 20)).contains(&13), "{q}");
    }
}

#[test]
fn full_names_across_scripts() {
    let ix = office();
    for q in [
        "Mohammed Alaoui",
        "محمد العلوي",
        "Muhammad Alawi",
        "Mohamed El Alaoui",
    ] {
        let found = ix.search(q, 3);
        let top: Vec<u64> = ids(&found).into_iter().take(2).collect();
        assert!(top.contains(&1) && top.contains(&2), "{q}: {found:?}");
        assert_eq!(found[0].strength, MatchStrength::Likely, "{q}");
    }
}

#[test]
fn ait_in_every_spelling() {
    let ix = office();
    finds_all(
        &ix,
        &["آيت باها", "Aït Baha", "Ait Baha", "Ayt Baha", "Ait-Baha"],
        &[11, 12],
    );
    finds_all(&ix, &["Khadija Aït Ali", "خديجة آيت علي"], &[15]);
}

#[test]
fn youssef_in_every_spelling_but_not_younes() {
    let ix = office();
    finds_all(
        &ix,
        &[
            "يوسف",
            "Youssef",
            "Youcef",
            "Yusuf",
            "Youssouf",
            "Youssef Tazi",
        ],
        &[4, 5],
    );
    for q in ["Youssef", "Youssef Tazi", "يوسف"] {
        assert!(!likely(&ix.search(q, 20)).contains(&6), "{q}");
    }
}

#[test]
fn abdelkader_in_every_spelling() {
    let ix = office();
    finds_all(
        &ix,
        &[
            "عبد القادر",
            "Abdelkader",
            "Abd el-Kader",
            "Abdulqadir",
            "Abdel Kader",
            "عبدالقادر",
        ],
        &[7, 8],
    );
}

#[test]
fn west_african_spellings() {
    let ix = office();
    finds_all(&ix, &["Ouedraogo", "Ouédraogo", "OUEDRAOGO"], &[9]);
    finds_all(&ix, &["Diallo", "Jallow", "Mamadou Diallo"], &[10]);
}

#[test]
fn glued_article_and_moroccan_g() {
    let mut ix = office();
    ix.insert(20, &["رشيد العمراني"]);
    ix.insert(21, &["Saida Guessous"]);
    ix.insert(22, &["Nabil Lahrichi"]);
    finds_all(
        &ix,
        &["Rachid Lamrani", "Rachid Amrani", "Rachid El Amrani"],
        &[20],
    );
    finds_all(
        &ix,
        &["سعيدة كسوس", "Saida Gassous", "Saida Kessous"],
        &[21],
    );
    finds_all(
        &ix,
        &["Nabil Harichi", "نبيل الحريشي", "Nabil Elharichi"],
        &[22],
    );
}

/// The look-alikes of issue 19: each query shows a different name as Possible at most.
#[test]
fn different_names_sharing_consonants_are_never_likely() {
    let mut ix = office();
    let lookalikes: &[(u64, &str, &[&str])] = &[
        (30, "Salih", &["Aminata Sylla", "أميناتا سيلا"]),
        (31, "Sarra", &["Yasser Alami"]),
        (32, "Ayman", &["Imane Tahiri", "إيمان الطاهري"]),
        (33, "Chérif", &["Achraf Berrada"]),
        (34, "Ait Ali", &["Moussa Tall"]),
        (35, "Yassine", &["Sadio Sané"]),
        (36, "صالح", &["Aminata Sylla"]),
        (37, "ياسين", &["Sadio Sané"]),
    ];
    for (id, _, names) in lookalikes {
        ix.insert(*id, names);
    }
    for (id, query, names) in lookalikes {
        let found = ix.search(query, 20);
        assert!(
            !likely(&found).contains(id),
            "{query} shows {names:?} as Likely: {found:?}"
        );
        assert_ne!(
            compare(query, names),
            Some(MatchStrength::Likely),
            "{query}"
        );
    }
}

#[test]
fn a_known_variant_ranks_above_a_skeleton_look_alike() {
    let mut ix = NameIndex::new();
    // Saleh and Salih are one name (variants.txt); Sylla only shares their consonants.
    ix.insert(1, &["Aminata Sylla"]);
    ix.insert(2, &["Aminata Saleh"]);
    ix.insert(3, &["أميناتا صالح"]);
    let found = ix.search("Aminata Salih", 10);
    assert_eq!(
        ids(&found)[..2].iter().filter(|&&i| i != 1).count(),
        2,
        "{found:?}"
    );
    assert_eq!(likely(&found).len(), 2, "{found:?}");
    let sylla = found.iter().find(|m| m.id == 1).map(|m| m.strength);
    assert_eq!(sylla, Some(MatchStrength::Possible), "{found:?}");
}

#[test]
fn glued_articles_particles_and_bou() {
    let likely = |a: &str, b: &str| compare(a, &[b]) == Some(MatchStrength::Likely);
    // The article assimilated to a sun letter and glued.
    assert!(likely("Ettadlaoui", "التادلاوي"));
    assert!(likely("Eddahbi", "Dahbi"));
    // Bou as a particle (abu) and glued in Arabic.
    assert!(likely("Bou Taleb", "بوطالب"));
    assert!(likely("Bou Taleb", "Boutaleb"));
    // A particle and a known name: the same particle and a variant of the name.
    assert!(likely("Ben Aly", "بن علي"));
    assert!(likely("Benali", "Ben Ali"));
    assert!(!likely("Ben Ali", "Ali"));
    assert!(!likely("Ait Ali", "Ben Ali"));
}

/// Rules of issue 19's second round, each on names no dictionary lists.
#[test]
fn names_as_egypt_and_the_levant_write_them() {
    let likely = |a: &str, b: &str| compare(a, &[b]) == Some(MatchStrength::Likely);
    // ج said as a hard g, written g; ث as s; ذ and ظ as z.
    assert!(likely("Ragab", "رجب"));
    assert!(likely("Magdy", "مجدي"));
    assert!(likely("Hegazy", "حجازي"));
    assert!(likely("Osman", "عثمان"));
    assert!(likely("Hafez", "حافظ"));
    assert!(likely("Mahfouz", "محفوظ"));
    // Only across scripts: two Latin spellings are still two names.
    assert!(!likely("Bachar", "Bakar"));
}

#[test]
fn arabic_letters_that_meet_are_two_consonants() {
    let likely = |a: &str, b: &str| compare(a, &[b]) == Some(MatchStrength::Likely);
    assert!(likely("Mamdouh", "ممدوح"));
    assert!(!likely("Mamadou", "ممدوح"));
    // But a glued particle's last letter and the name's first are one in Latin.
    assert!(likely("Ben Nasr", "بن نصر"));
}

#[test]
fn a_final_h_that_is_a_consonant_is_heard() {
    let likely = |a: &str, b: &str| compare(a, &[b]) == Some(MatchStrength::Likely);
    assert!(!likely("Samih", "سامي"));
    assert!(!likely("Samih", "Sami"));
    assert!(likely("Samih", "سميح"));
    // ah, eh, oh may be a vowel; an Arabic final ه may be a consonant.
    assert!(likely("Dansoh", "Danso"));
    assert!(likely("Taha", "طه"));
    assert!(likely("Fatimah", "فاطمة"));
}

#[test]
fn two_latin_spellings_agree_on_diphthongs_and_lone_articles() {
    let likely = |a: &str, b: &str| compare(a, &[b]) == Some(MatchStrength::Likely);
    assert!(!likely("Haytham", "Hatem"));
    assert!(likely("N'Dao", "Ndaw"));
    // A lone l before a short name: Lamar is not Amar, nor Linda Nada; but the glued
    // article's vowel may be written or not.
    assert!(!likely("Lamar", "Amar"));
    assert!(!likely("Linda", "Nada"));
    assert!(likely("Lahlou", "Elahlou"));
    assert!(!likely("Elena", "Lena"));
    assert!(!likely("Alina", "Lina"));
    assert!(likely("Lamraoui", "Elamraoui"));
}

#[test]
fn french_and_english_names_in_arabic_script() {
    let likely = |a: &str, b: &str| compare(a, &[b]) == Some(MatchStrength::Likely);
    assert!(likely("Arnaud", "ارنو"));
    assert!(likely("Thompson", "تومسون"));
    // A one-letter skeleton is found across scripts, but Likely only from the dictionary.
    assert!(compare("White", &["وايت"]).is_some());
    assert!(compare("Wise", &["وايز"]).is_some());
}

/// A person of whom every word of the query is related ranks above one with a word the same
/// and another unrelated.
#[test]
fn every_word_related_ranks_above_one_word_the_same() {
    let mut ix = NameIndex::new();
    for n in 0..40 {
        ix.insert(100 + n, &["Kenza Chi"]);
    }
    ix.insert(1, &["فيلو تشي"]);
    let found = ix.search("Philo Chi", 10);
    assert_eq!(found.first().map(|m| m.id), Some(1), "{found:?}");
}

#[test]
fn compare_says_whether_two_names_are_one() {
    assert_eq!(compare("Youssef", &["يوسف"]), Some(MatchStrength::Likely));
    assert_eq!(
        compare("Mohamed El Alaoui", &["محمد العلوي", "Mohammed Alaoui"]),
        Some(MatchStrength::Likely)
    );
    assert_eq!(compare("Salih", &["Sylla"]), Some(MatchStrength::Possible));
    assert_eq!(
        compare("Rachid Amrami", &["Rachid Amrani"]),
        Some(MatchStrength::Possible)
    );
    assert_eq!(compare("Karim", &["Bennani"]), None);
    assert_eq!(compare("", &["Bennani"]), None);
}

#[test]
fn a_typo_no_rule_covers_is_still_found_as_possible() {
    let mut ix = office();
    ix.insert(20, &["Rachid Amrani"]);
    for n in 0..30 {
        ix.insert(100 + n, &["Rachid Bennani"]);
    }
    let found = ix.search("Rachid Amrami", 10);
    assert_eq!(found.first().map(|m| m.id), Some(20), "{found:?}");
    assert_eq!(found[0].strength, MatchStrength::Possible);
}

#[test]
fn single_given_name_finds_people_with_it() {
    let ix = office();
    let found = ix.search("Fatima", 10);
    assert_eq!(found[0].id, 14);
    assert_eq!(found[0].strength, MatchStrength::Likely);
}

#[test]
fn partial_match_is_possible() {
    let ix = office();
    let found = ix.search("Youssef Bennani", 10);
    let four = found.iter().find(|m| m.id == 4).map(|m| m.strength);
    assert_eq!(four, Some(MatchStrength::Possible));
    let three = found.iter().find(|m| m.id == 3).map(|m| m.strength);
    assert_eq!(three, Some(MatchStrength::Possible));
}

#[test]
fn best_first_and_limit() {
    let ix = office();
    let found = ix.search("Mohamed", 2);
    assert_eq!(found.len(), 2);
    assert!(found[0].score >= found[1].score);
    assert!(ix.search("Mohamed", 0).is_empty());
}

#[test]
fn insert_replaces_and_remove_forgets() {
    let mut ix = office();
    let n = ix.len();
    ix.insert(4, &["Karim Berrada"]);
    assert_eq!(ix.len(), n);
    assert!(!ids(&ix.search("Youssef Tazi", 10)).contains(&4));
    assert_eq!(ids(&ix.search("Karim Berrada", 1)), [4]);
    ix.remove(4);
    ix.remove(4);
    assert_eq!(ix.len(), n - 1);
    assert!(!ids(&ix.search("Karim Berrada", 10)).contains(&4));
    let mut empty = NameIndex::default();
    assert!(empty.is_empty());
    empty.insert(1, &[]);
    assert_eq!(empty.len(), 1);
    assert!(empty.search("Karim", 5).is_empty());
}

#[test]
fn unusable_queries_are_empty() {
    let ix = office();
    for q in ["", "   ", "123", "😀😀", "\u{200F}", "-- ,"] {
        assert!(ix.search(q, 10).is_empty(), "{q:?}");
    }
    assert!(NameIndex::new().search("Mohamed", 10).is_empty());
}

#[test]
fn the_index_is_send_and_sync() {
    fn check<T: Send + Sync + Default>() {}
    check::<NameIndex>();
}

/// The held-out recall set (`recall-heldout.tsv`, never tuned on) measured on 50,000
/// generated people, the same way as the bench does on 200,000: a rule or dictionary change
/// that makes a figure fall past its floor fails here. The floors sit a little under what the
/// rules gave when they were set (issue 19's second round: recall@10 cross-script 0.981,
/// same-script 1.000; false Likely 0.006 and 0.025, same-script being 81 queries), so that a
/// real fall shows and one query more or less does not. The bench's figures on 200,000
/// people are lower (more namesakes): see BENCHMARKS.md.
#[test]
fn held_out_figures_stay_above_their_floors() {
    use super::measure::{Set, population, run_sets};
    let pop = population(50_000, 0x9E37_79B9_7F4A_7C15);
    let report = run_sets(&pop, &pop.index(), &[Set::HeldOut]);
    let (cross, same) = (
        report.cell(Set::HeldOut, true),
        report.cell(Set::HeldOut, false),
    );
    let figures = format!(
        "cross-script: recall@10 {:.3}, false Likely {:.3}; same-script: recall@10 {:.3}, false Likely {:.3}",
        cross.recall(),
        cross.false_likely_share(),
        same.recall(),
        same.false_likely_share()
    );
    eprintln!("held out, 50,000 people: {figures}");
    assert!(cross.pairs >= 300 && same.pairs >= 75, "{figures}");
    assert!(cross.recall() >= FLOOR_CROSS_RECALL, "{figures}");
    assert!(same.recall() >= FLOOR_SAME_RECALL, "{figures}");
    assert!(
        cross.false_likely_share() <= CEILING_CROSS_FALSE_LIKELY,
        "{figures}"
    );
    assert!(
        same.false_likely_share() <= CEILING_SAME_FALSE_LIKELY,
        "{figures}"
    );
}

const FLOOR_CROSS_RECALL: f64 = 0.97;
const FLOOR_SAME_RECALL: f64 = 0.975;
const CEILING_CROSS_FALSE_LIKELY: f64 = 0.02;
const CEILING_SAME_FALSE_LIKELY: f64 = 0.05;

fn any_name() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("محمد".to_string()),
        Just("Mohamed".to_string()),
        Just("آيت".to_string()),
        Just("عبد".to_string()),
        Just("Abd".to_string()),
        Just("el".to_string()),
        Just("ben".to_string()),
        Just("الدين".to_string()),
        Just("\u{200F}".to_string()),
        Just("\u{0651}\u{064E}".to_string()),
        Just("e\u{0301}\u{0308}".to_string()),
        Just("👩‍👩‍👧".to_string()),
        Just("\u{FEFF}".to_string()),
        Just("ﷺ".to_string()),
        Just("ⵎⵓⵃⵎⵎⴷ".to_string()),
        Just(" - ' ".to_string()),
        any::<String>(),
        "\\PC{0,20}",
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.join(" "))
}

proptest! {
    #[test]
    fn search_never_panics(query in any_name(), limit in 0usize..50) {
        let ix = office();
        let found = ix.search(&query, limit);
        prop_assert!(found.len() <= limit);
        for w in found.windows(2) {
            let ok = (w[0].strength == MatchStrength::Likely && w[1].strength == MatchStrength::Possible)
                || (w[0].strength == w[1].strength && w[0].score >= w[1].score);
            prop_assert!(ok, "{:?}", found);
        }
        for m in &found {
            prop_assert!((0.0..=1.0).contains(&m.score));
        }
    }

    #[test]
    fn indexing_any_name_never_panics(name in any_name(), query in any_name()) {
        let mut ix = office();
        ix.insert(99, &[&name, &query]);
        let _ = ix.search(&query, 5);
        ix.remove(99);
        prop_assert_eq!(ix.len(), 15);
    }

    #[test]
    fn very_long_input_never_panics(piece in any_name(), n in 1usize..2000) {
        let ix = office();
        let long = piece.repeat(n);
        let _ = ix.search(&long, 10);
        let _ = normalise(&long);
        let _ = skeleton(&long);
    }

    #[test]
    fn a_name_finds_itself(name in "[A-Za-z]{2,10}( [A-Za-z]{2,10}){0,2}") {
        let mut ix = office();
        ix.insert(99, &[&name]);
        if !normalise(&name).is_empty() {
            let found = ix.search(&name, 50);
            prop_assert!(found.iter().any(|m| m.id == 99 && m.strength == MatchStrength::Likely), "{:?}", found);
        }
    }
}

#[test]
fn a_family_name_without_its_ait_finds_the_person_as_possible() {
    let mut idx = NameIndex::new();
    idx.insert(1, &["زهرة آيت واحمان", "Zahra Ait Ouahmane"]);
    idx.insert(2, &["Fatima Ouchen"]);
    for q in ["Ouahmane", "واحمان", "Wahman"] {
        let found = idx.search(q, 10);
        assert_eq!(
            found.first().map(|m| (m.id, m.strength)),
            Some((1, MatchStrength::Possible)),
            "{q}: {found:?}"
        );
    }
    // With the particle, or by her first name, it is her name: Likely.
    for q in ["Ait Ouahmane", "آيت واحمان", "Zahra"] {
        assert_eq!(
            idx.search(q, 10).first().map(|m| (m.id, m.strength)),
            Some((1, MatchStrength::Likely)),
            "{q}"
        );
    }
}
