//! Finding people by name across Arabic and Latin spellings.
//!
//! Officers look a visitor up by whatever spelling they hear or read: محمد, Mohamed, Mohammed
//! and Muhammad are one name, and so are آيت / Aït / Ayt, Abd el-Kader / عبد القادر /
//! Abdulqadir, Diallo / Jallow. No crate matches Arabic script with its Latin spellings, and
//! string similarity alone cannot tell Youssef/Youcef (same) from Youssef/Younes (different),
//! so this module owns the whole chain, pure and in memory:
//!
//! 1. [`normalise`] turns a name into ASCII tokens (one script, no accents or harakat,
//!    particles glued: `abdkader`), each remembering its script and what إ, أ, ة, ى and ع
//!    said about vowels.
//! 2. [`skeleton`] reduces a token to its consonants with spelling rules kept as data
//!    (`mhmd`, `sf`) and keeps the vowels around them (its shape); `variants.txt` maps known
//!    spellings of a name to one entry.
//! 3. [`NameIndex`] finds the records sharing the most query tokens (by skeleton or known
//!    variant, and look-alikes one skeleton letter apart for typos), re-ranks them, and labels
//!    each match. Officers see the label, never the score.
//!
//! # Likely means the same name
//!
//! A person is **Likely** when every word of the query is one of their names' words by one of:
//! - the same spelling in the same script;
//! - a known variant: both spellings on one line of `variants.txt` (Youssef / يوسف / Youcef);
//! - the same skeleton with vowels that agree, when the dictionary does not know the two as
//!   different names (Mohamed / Mahmoud): gap by gap between the consonants, the first vowels
//!   are of one class (a; i, y; o, u, w; e is a or i), neither spelling starts or ends with a
//!   vowel the other lacks, the same glides (y, w, i or ou before a vowel) are there, and an
//!   Arabic gap with no vowel stands for an unwritten short vowel inside the word only; a
//!   consonant h the skeleton dropped is there in both (Samih is not Sami, ممدوح not
//!   Mamadou); two Latin spellings agree on diphthongs (Haytham is not Hatem). A one-letter
//!   skeleton must also look alike (Jaro-Winkler ≥ 0.85). The keys that say how a name is
//!   written in the other script (Rosalie as روزالي, Ragab as رجب, عثمان as Osman) make a
//!   Latin and an Arabic spelling one name, never two spellings in one script (Bachar is not
//!   Bakar); a short name without a lone l (Lamar as Amar) is found, never Likely.
//!
//! Anything else that matches is **Possible** at most: a skeleton whose vowels disagree
//! (Salih / Sylla, Sarra / Yasser, Ayman / Imane, Chérif / Achraf, Ait Ali / Tall, Yassine /
//! Sané, Samira / Samra), a look-alike one skeleton letter apart or by Jaro-Winkler, a name of
//! which only some words match. Ranking follows the same order: Likely before Possible, and
//! within each, same spelling (1), known variant (0.9–1), agreed skeleton (0.7–0.9), skeleton
//! only (0.5–0.65), look-alike (≤ 0.6) per word, so a known variant ranks above a look-alike
//! that only shares its consonants. [`compare`] applies the same rule to two names without an
//! index (for the duplicate check). Among Possible, a person of whom every query word is
//! related (same consonants or a look-alike) ranks above one with a word the same and
//! another unrelated.
//!
//! Everything here is pure: the dictionary is compiled in (`include_str!`), nothing is read,
//! random or timed. Inputs are bounded (400 characters, 12 words of 40 letters, 8 query words)
//! so that no input can make a search slow, and no input makes it panic (property tests).
//!
//! Four recall sets measure it (`measure.rs`, shared by `benches/names.rs` and the held-out
//! floor test): `recall.tsv`, written here; `recall-sourced.tsv`, from Wikidata's labels and
//! names-dataset's country lists, tuned on (its names are in the dictionary,
//! `variants-sourced.txt`); `recall-dev.tsv`, from the same sources, names no dictionary
//! knows, for developing the rules; `recall-heldout.tsv`, from the same sources and never
//! tuned on (see their headers for how they were made and split). The bench reports
//! recall@10 and the share of queries showing a different name as Likely, same- and
//! cross-script apart.

mod index;
mod normalise;
mod skeleton;
mod variants;

pub use index::{MatchStrength, NameIndex, NameMatch, compare};
pub use normalise::normalise;
pub use skeleton::skeleton;

// Shared with benches/names.rs, which uses the parts the floor test does not.
#[cfg(test)]
#[allow(dead_code)]
mod measure;
#[cfg(test)]
mod tests;
