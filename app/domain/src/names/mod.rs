//! Finding people by name across Arabic and Latin spellings.
//!
//! Officers look a visitor up by whatever spelling they hear or read: محمد, Mohamed, Mohammed
//! and Muhammad are one name, and so are آيت / Aït / Ayt, Abd el-Kader / عبد القادر /
//! Abdulqadir, Diallo / Jallow. No crate matches Arabic script with its Latin spellings, and
//! string similarity alone cannot tell Youssef/Youcef (same) from Youssef/Younes (different),
//! so this module owns the whole chain, pure and in memory:
//!
//! 1. [`normalise`] turns a name into ASCII tokens (one script, no accents or harakat,
//!    particles glued: `abdkader`).
//! 2. [`skeleton`] reduces a token to its consonants with spelling rules kept as data
//!    (`mhmd`, `sf`), and `variants.txt` maps known spellings of a name to one entry.
//! 3. [`NameIndex`] finds the records sharing the most query tokens (by skeleton or known
//!    variant, and look-alikes one skeleton letter apart for typos), re-ranks them with
//!    Jaro-Winkler on the transliterated tokens, and labels each match `Likely` (every query
//!    token matched by known variant or skeleton) or `Possible` (some did). Officers see those
//!    words, never the score.
//!
//! Everything here is pure: the dictionary is compiled in (`include_str!`), nothing is read,
//! random or timed. Inputs are bounded (400 characters, 12 words of 40 letters, 8 query words)
//! so that no input can make a search slow, and no input makes it panic (property tests).
//!
//! The recall set `recall.tsv` (stored spelling, query spelling) and `benches/names.rs` measure
//! it; the figures are in `benches/NAMES-FIGURES.md`.

mod index;
mod normalise;
mod skeleton;
mod variants;

pub use index::{MatchStrength, NameIndex, NameMatch, compare};
pub use normalise::normalise;
pub use skeleton::skeleton;

#[cfg(test)]
mod measure;
#[cfg(test)]
mod tests;
