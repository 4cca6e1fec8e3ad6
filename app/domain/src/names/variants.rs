//! The dictionary of known spellings, `variants.txt`, compiled in and read once.

#[cfg(test)]
use super::normalise::normalise;
use super::normalise::tokens;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The data file: one name a line, its spellings separated by commas.
const VARIANTS_TXT: &str = include_str!("variants.txt");
/// More names in the same form, from the tuned part of the sourced recall set (see its
/// header).
const SOURCED_TXT: &str = include_str!("variants-sourced.txt");

/// Known spellings, by normalised token and script, each with the lines (names) it belongs
/// to. The script is part of the key: Arabic ايمان (Imane) and Latin Ayman are both `ayman`.
#[derive(Debug)]
pub(crate) struct Variants {
    by_token: HashMap<(bool, String), Vec<u32>>,
    lines: usize,
}

static VARIANTS: LazyLock<Variants> =
    LazyLock::new(|| Variants::parse(&format!("{VARIANTS_TXT}\n{SOURCED_TXT}")));

impl Variants {
    /// The compiled-in dictionary.
    pub(crate) fn get() -> &'static Variants {
        &VARIANTS
    }

    /// Spellings that do not normalise to exactly one token are skipped (a test checks
    /// there are none in `variants.txt`).
    pub(crate) fn parse(text: &str) -> Variants {
        let mut by_token: HashMap<(bool, String), Vec<u32>> = HashMap::new();
        let mut lines = 0u32;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let id = lines;
            lines += 1;
            for spelling in line.split(',') {
                let mut tokens = tokens(spelling);
                if tokens.len() != 1 {
                    continue;
                }
                let Some(token) = tokens.pop() else { continue };
                let ids = by_token.entry((token.arabic, token.text)).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        Variants {
            by_token,
            lines: lines as usize,
        }
    }

    /// The names (line numbers) a normalised token, written in Arabic script or not, is a
    /// known spelling of; empty if unknown.
    pub(crate) fn names_of(&self, token: &str, arabic: bool) -> &[u32] {
        self.by_token
            .get(&(arabic, token.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// How many names the dictionary holds.
    pub(crate) fn len(&self) -> usize {
        self.lines
    }

    /// Spellings of `variants.txt` that do not normalise to one token, for the test.
    #[cfg(test)]
    pub(crate) fn bad_spellings(text: &str) -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .flat_map(|l| l.split(','))
            .filter(|s| normalise(s).len() != 1)
            .map(|s| s.trim().to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_is_one_token() {
        assert_eq!(Variants::bad_spellings(VARIANTS_TXT), Vec::<String>::new());
        assert_eq!(Variants::bad_spellings(SOURCED_TXT), Vec::<String>::new());
    }

    #[test]
    fn the_dictionary_is_a_few_hundred_names() {
        assert!(Variants::get().len() >= 300, "{}", Variants::get().len());
    }

    #[test]
    fn spellings_in_both_scripts_share_a_line() {
        let v = Variants::get();
        let line = |s: &str| {
            let t = &tokens(s)[0];
            v.names_of(&t.text, t.arabic).to_vec()
        };
        for group in [
            &["محمد", "Mohamed", "Mohammed", "Muhammad", "Mhamed"][..],
            &["يوسف", "Youssef", "Youcef", "Yusuf", "Youssouf"],
            &["عبد القادر", "Abdelkader", "Abd el-Kader", "Abdulqadir"],
            &["Diallo", "Jallow"],
            &["Ouedraogo", "Ouédraogo"],
        ] {
            let first = line(group[0]);
            assert!(!first.is_empty(), "{}", group[0]);
            for s in &group[1..] {
                assert!(
                    line(s).iter().any(|l| first.contains(l)),
                    "{} / {s}",
                    group[0]
                );
            }
        }
        assert!(line("Mohamed").iter().all(|l| !line("Mahmoud").contains(l)));
    }

    #[test]
    fn the_script_is_part_of_a_spelling() {
        let v = Variants::get();
        // ايمان (Imane) transliterates to `ayman`, which is not Latin Ayman.
        assert_eq!(tokens("ايمان")[0].text, "ayman");
        assert!(!v.names_of("ayman", true).is_empty());
        let imane = v.names_of("imane", false);
        assert!(
            v.names_of("ayman", false)
                .iter()
                .all(|l| !imane.contains(l))
        );
    }
}
