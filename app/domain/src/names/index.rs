//! The in-memory index: records by token, tokens by skeleton and by known name.
//!
//! Each distinct token (normalised spelling) is stored once with its skeleton, the names of
//! `variants.txt` it belongs to, and the records that carry it. A search looks up, for each
//! query token, the tokens it may be (same text, same known name, same skeleton), scores each
//! such pair once, and adds the score to every record carrying the token: the records sharing
//! the most query tokens come first. The best of those are then re-ranked by comparing every
//! query token with every token of the record (Jaro-Winkler on the transliterated form), so a
//! typo that no rule catches still counts, only less.

use super::normalise::{Token as Word, tokens};
use super::skeleton::{
    OPTIONAL, Shape, foreign_spellings, j_for_di, k_for_g, shape, shape_with_head, vowels_agree,
};
use super::variants::Variants;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// How sure a match is, shown to officers as a word (never the score).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MatchStrength {
    /// The same name: every word of the query is a word of the person's names, written the
    /// same, a known spelling of it (`variants.txt`), or a spelling with the same skeleton
    /// whose vowels agree with it.
    Likely,
    /// A name that looks alike: some words match only by their consonants, look alike, or do
    /// not match.
    Possible,
}

/// One person found, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    pub id: u64,
    /// In 0..=1; only for ordering, not for display.
    pub score: f32,
    pub strength: MatchStrength,
}

/// At most this many query words are used (after duplicates are removed).
const MAX_QUERY_TOKENS: usize = 8;
/// A token pair scoring this or more is the same name (Likely if all query tokens have one).
const MATCH: f32 = 0.7;
/// A token pair scoring this or more is related: the same consonants, or a look-alike a typo
/// away. A person whose every word is related to the query ranks above one of whom a word
/// is the same and another unrelated (Philo Chi finds فيلو تشي before Ophelia Chi).
const RELATED: f32 = 0.5;
/// Candidates re-ranked per search, at least; more when `limit` is large.
const MIN_RERANK: usize = 100;
/// A query token whose related tokens are carried by more records than this is only used to
/// rank records the other query tokens found, once those found enough (Mohamed Boateng: the
/// Boatengs, not every Mohamed).
const COMMON: usize = 8_192;
/// Tokens that no rule relates to a query token but that look this much like it (Jaro-Winkler)
/// are candidates too, at a look-alike score: a typo (Amrami for Amrani) still finds the
/// person, as Possible.
const LOOKALIKE: f64 = 0.85;

/// What a key a token is filed under may say of two spellings that share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    /// The same name when the vowels agree, whatever the scripts.
    Any,
    /// How a name is written in the other script (Rosalie as روزالي, رجب as Ragab): the same
    /// name only between a Latin and an Arabic spelling, so two spellings in one script that
    /// meet only there are not one name (Bachar is not Bakar, غالي is not كالي).
    Across,
    /// Never the same name, only a candidate (a short name without a lone l: Lamar as `mr`,
    /// which Amar is not).
    Found,
}

/// What is compared of a token.
#[derive(Debug, Clone)]
struct Features {
    text: Box<str>,
    /// Written in Arabic script.
    arabic: bool,
    /// The skeleton, for look-alikes one letter apart.
    skel: Box<str>,
    /// The skeletons the token is filed under, with their vowels: its own; without the l of a
    /// glued article (Elfassi → `fs`, Lamrani → `mrn`) when two letters or more remain; with j
    /// for a West African initial Di (Diallo → `jl`, as Jallow); as French and English names
    /// are written in Arabic script (`skeleton::foreign_spellings`: Rosalie → `rzl`, as
    /// روزالي); with k for the g (غ) of an Arabic spelling (غوستاف → `kstf`, as Gustave); with
    /// ث, ذ, ظ as Egypt says them (عثمان → `smn`, as Osman). Each with what it may say
    /// ([`Reach`]), strongest first, no skeleton and vowels twice.
    keys: Box<[(Shape, Reach)]>,
    /// Lines of `variants.txt` this spelling belongs to.
    names: Box<[u32]>,
}

impl Features {
    fn of(word: &Word, variants: &Variants) -> Features {
        let text = word.text.as_str();
        let own = shape_with_head(text, word.arabic, word.head, word.tail);
        let mut keys = vec![(own.clone(), Reach::Any)];
        // Moroccan Latin spellings glue the article's l to the name (Lamrani for العمراني,
        // Lahrichi, Elfassi): such a token is also filed without it. In Arabic script the
        // article written ال is already gone; a glued ل is the Moroccan لحسن for الحسن, before
        // a consonant only (لامار is Lamar, لونيس Lounis).
        let rest = if word.arabic {
            text.strip_prefix('l')
                .filter(|r| !r.starts_with(['a', 'i', 'w', 'y']))
        } else {
            text.strip_prefix("el")
                .or_else(|| text.strip_prefix("al"))
                .or_else(|| text.strip_prefix('l'))
        };
        if let Some(rest) = rest
            && own.skeleton.starts_with('l')
        {
            let mut alt = shape(rest, word.arabic, word.tail);
            // The article's vowel may be the name's (Lamrani, al-Amrani) or not (Lahrichi,
            // al-Harichi), and Moroccan spellings drop the vowel after the name's first
            // consonant then (Lahrichi, not Laharichi).
            alt.gaps[0] |= OPTIONAL;
            if let Some(g) = alt.gaps.get_mut(1)
                && *g & !OPTIONAL == 0
            {
                *g |= OPTIONAL;
            }
            // A lone l before a short Latin name is as often the name's own (Lamar, Linda,
            // Labib) as an article (Lamraoui, العمراوي): without it, the name is only found.
            let lone_l = rest.len() + 1 == text.len();
            if alt.skeleton.len() >= 2 && own.skeleton.strip_prefix('l') == Some(&alt.skeleton) {
                let short = lone_l && alt.skeleton.len() < 3 && !word.arabic;
                keys.push((alt, if short { Reach::Found } else { Reach::Any }));
            }
        }
        if !word.arabic {
            // The article assimilated to a sun letter and glued (Ettadlaoui, Errahmouni,
            // Ezzahraoui, Eddahbi for التادلاوي, الرحموني, الزهراوي, الذهبي): also filed
            // without it.
            let b = text.as_bytes();
            if b.len() >= 5
                && matches!(b[0], b'e' | b'a')
                && b[1] == b[2]
                && matches!(b[1], b't' | b'd' | b'r' | b'z' | b's' | b'n')
            {
                let mut alt = shape(&text[2..], false, 0);
                alt.gaps[0] |= OPTIONAL;
                keys.push((alt, Reach::Any));
            }
            // Bou glued as a particle is written abu; Arabic glues بو (بوطالب, Boutaleb).
            if let Some(rest) = text.strip_prefix("abu")
                && rest.len() >= 2
            {
                keys.push((shape(&format!("bu{rest}"), false, 0), Reach::Any));
            }
            keys.extend(j_for_di(text).map(|j| (shape(&j, false, 0), Reach::Any)));
            keys.extend(
                foreign_spellings(text)
                    .iter()
                    .map(|t| (shape(t, false, 0), Reach::Across)),
            );
        } else {
            // A glued particle and a name starting with its last letter are one letter in
            // Latin (بن ناصر, Ben Nasr; عبد الدايم, Abdeddaim).
            for p in ["abd", "ben", "ould"] {
                if let Some(rest) = text.strip_prefix(p)
                    && rest.len() >= 2
                    && rest.as_bytes()[0] == p.as_bytes()[p.len() - 1]
                {
                    let glued = format!("{p}{}", &rest[1..]);
                    let key = shape_with_head(&glued, true, word.head, word.tail);
                    keys.push((key, Reach::Any));
                }
            }
            if let Some(k) = k_for_g(text) {
                let key = shape_with_head(&k, true, word.head, word.tail);
                keys.push((key, Reach::Across));
            }
            // ث, ذ, ظ as Egypt says them (Osman, Hafez); its hard ج (Ragab) is a key of the
            // Latin spelling.
            if let Some(e) = &word.eastern {
                let key = shape_with_head(e, true, word.head, word.tail);
                keys.push((key, Reach::Across));
            }
        }
        // Strongest first, so that a key filed twice keeps what it says at best.
        keys.sort_by_key(|(_, reach)| *reach);
        let mut unique: Vec<(Shape, Reach)> = Vec::with_capacity(keys.len());
        for (key, reach) in keys {
            if !key.skeleton.is_empty() && !unique.iter().any(|(k, _)| *k == key) {
                unique.push((key, reach));
            }
        }
        Features {
            text: text.into(),
            arabic: word.arabic,
            skel: own.skeleton.into_boxed_str(),
            keys: unique.into(),
            names: known_names(text, word.arabic, variants),
        }
    }

    /// Skeleton keys under which the token is filed.
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(k, _)| k.skeleton.as_str())
    }

    /// Whether the two tokens share a skeleton, and if so whether the vowels agree on one
    /// they share (with the length of the longest shared). Within one script, keys for the
    /// other script find but never agree.
    fn shared_key(&self, other: &Features) -> Option<(bool, usize)> {
        let mut best: Option<(bool, usize)> = None;
        let one_script = self.arabic == other.arabic;
        for (a, reach_a) in self.keys.iter() {
            for (b, reach_b) in other.keys.iter() {
                if b.skeleton != a.skeleton {
                    continue;
                }
                let may_agree = match (*reach_a).max(*reach_b) {
                    Reach::Any => true,
                    Reach::Across => !one_script,
                    Reach::Found => false,
                };
                let agree = may_agree && vowels_agree(a, self.arabic, b, other.arabic);
                let found = (agree, a.skeleton.len());
                best = Some(best.map_or(found, |old| old.max(found)));
            }
        }
        best
    }
}

/// The lines of `variants.txt` a token is a spelling of; for a particle and a name glued
/// (benali, aitbrahim, ouldahmed, abdkader), also those of the name after the particle, marked
/// with the particle, so that Ben Ali and بن علي are one name, and Ben Ali is not Ali.
fn known_names(text: &str, arabic: bool, variants: &Variants) -> Box<[u32]> {
    let mut names: Vec<u32> = variants.names_of(text, arabic).to_vec();
    for (mark, particle) in (1u32..).zip(["abd", "ben", "ait", "ould", "abu", "ou"]) {
        if let Some(rest) = text.strip_prefix(particle)
            && rest.len() >= 2
        {
            names.extend(
                variants
                    .names_of(rest, arabic)
                    .iter()
                    .map(|&l| (mark << 24) | l),
            );
        }
    }
    names.into()
}

/// How well record token `t` answers query token `q`, in 0..=1. From [`MATCH`] (0.7) up it is
/// the same name: same spelling in the same script (1), same known name (0.9–1), same
/// skeleton with vowels that agree, when not known as two different names (0.7–0.9; a
/// one-letter skeleton must also look alike). Below it only looks alike: the same skeleton
/// but vowels that disagree (0.5–0.65), or Jaro-Winkler scaled to at most 0.6.
fn token_sim(q: &Features, t: &Features) -> f32 {
    if q.text == t.text && q.arabic == t.arabic {
        return 1.0;
    }
    let jw = strsim::jaro_winkler(&q.text, &t.text) as f32;
    let fuzzy = 0.6 * jw;
    if q.names.iter().any(|n| t.names.contains(n)) {
        return 0.9 + 0.1 * jw;
    }
    if !q.names.is_empty() && !t.names.is_empty() {
        // Known as different names (Mohamed / Mahmoud, Youssef / Younes).
        return fuzzy;
    }
    match q.shared_key(t) {
        Some((true, len)) if len >= 2 || jw >= 0.85 => 0.7 + 0.2 * jw,
        Some(_) => (0.5 + 0.15 * jw).max(fuzzy),
        None => fuzzy,
    }
}

/// For one query token (by position): the tokens it may be with their scores, and how many
/// records carry them.
type Related = (usize, Vec<(u32, f32)>, usize);

/// A skeleton with one letter left out, each way; none for skeletons shorter than three.
fn deletions(skel: &str) -> impl Iterator<Item = String> + '_ {
    let n = if skel.len() >= 3 { skel.len() } else { 0 };
    (0..n).map(move |i| {
        let mut d = String::with_capacity(skel.len() - 1);
        d.push_str(&skel[..i]);
        d.push_str(&skel[i + 1..]);
        d
    })
}

#[derive(Debug, Clone)]
struct Token {
    features: Features,
    /// Slots of the records carrying this token, in no order.
    records: Vec<u32>,
}

#[derive(Debug, Clone)]
struct Record {
    id: u64,
    /// Token ids of each name, in order.
    names: Vec<Box<[u32]>>,
    /// Names after this many are aliases the index made (a family name without its Aït): they
    /// find the person, but as Possible only (Mohamed Aït Ali and Mohamed Ali may be two men).
    given: usize,
}

impl Record {
    fn distinct_tokens(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self.names.iter().flat_map(|n| n.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// People by the names they are known by. In memory; build it from the store at start and
/// keep it up to date with [`insert`](Self::insert) and [`remove`](Self::remove).
#[derive(Clone)]
pub struct NameIndex {
    variants: &'static Variants,
    tokens: Vec<Token>,
    /// By script (Arabic or not) and text.
    token_ids: HashMap<(bool, Box<str>), u32>,
    by_skeleton: HashMap<Box<str>, Vec<u32>>,
    /// Token ids by their skeleton with one letter left out, to find look-alikes.
    by_deletion: HashMap<Box<str>, Vec<u32>>,
    /// Token ids by line of `variants.txt`.
    by_name: Vec<Vec<u32>>,
    slots: Vec<Option<Record>>,
    free: Vec<u32>,
    by_id: HashMap<u64, u32>,
}

impl Default for NameIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameIndex")
            .field("records", &self.by_id.len())
            .field("tokens", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

impl NameIndex {
    pub fn new() -> Self {
        let variants = Variants::get();
        NameIndex {
            variants,
            tokens: Vec::new(),
            token_ids: HashMap::new(),
            by_skeleton: HashMap::new(),
            by_deletion: HashMap::new(),
            by_name: vec![Vec::new(); variants.len()],
            slots: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::new(),
        }
    }

    /// All spellings a person is known by (Arabic name, Latin name, aliases); replaces any
    /// earlier entry for `id`.
    pub fn insert(&mut self, id: u64, names: &[&str]) {
        self.remove(id);
        let given: Vec<Vec<Word>> = names.iter().map(|name| tokens(name)).collect();
        // A family name glued to Aït or Ou is also known without it (Ouahmane).
        let aliases: Vec<Vec<Word>> = given
            .iter()
            .filter(|toks| toks.iter().any(|t| t.bare.is_some()))
            .map(|toks| {
                toks.iter()
                    .map(|t| t.bare.as_deref().cloned().unwrap_or_else(|| t.clone()))
                    .collect()
            })
            .collect();
        let mut intern_all = |list: &[Vec<Word>]| -> Vec<Box<[u32]>> {
            list.iter()
                .map(|toks| toks.iter().map(|t| self.intern(t)).collect::<Box<[u32]>>())
                .filter(|n| !n.is_empty())
                .collect()
        };
        let mut names = intern_all(&given);
        let given = names.len();
        names.extend(intern_all(&aliases));
        let record = Record { id, names, given };
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        };
        for t in record.distinct_tokens() {
            self.tokens[t as usize].records.push(slot);
        }
        self.slots[slot as usize] = Some(record);
        self.by_id.insert(id, slot);
    }

    pub fn remove(&mut self, id: u64) {
        let Some(slot) = self.by_id.remove(&id) else {
            return;
        };
        let Some(record) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        for t in record.distinct_tokens() {
            let records = &mut self.tokens[t as usize].records;
            if let Some(at) = records.iter().position(|&s| s == slot) {
                records.swap_remove(at);
            }
        }
        self.free.push(slot);
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// A rough count of the heap bytes the index holds (for the bench's memory figure).
    pub fn heap_bytes_estimate(&self) -> usize {
        let tokens: usize = self
            .tokens
            .iter()
            .map(|t| {
                size_of::<Token>()
                    + 2 * t.features.text.len()
                    + t.features.skel.len()
                    + t.features
                        .keys
                        .iter()
                        .map(|(k, _)| 24 + k.skeleton.len() + k.gaps.len())
                        .sum::<usize>()
                    + 4 * t.features.names.len()
                    + 4 * t.records.capacity()
                    + 24
            })
            .sum();
        let skeletons: usize = self
            .by_skeleton
            .iter()
            .chain(&self.by_deletion)
            .map(|(k, v)| k.len() + 4 * v.capacity() + 48)
            .sum();
        let records: usize = self
            .slots
            .iter()
            .flatten()
            .map(|r| {
                size_of::<Option<Record>>()
                    + r.names.iter().map(|n| 16 + 4 * n.len()).sum::<usize>()
                    + 32
            })
            .sum();
        tokens + skeletons + records + self.by_name.iter().map(|v| 4 * v.capacity()).sum::<usize>()
    }

    /// Best first; at most `limit`; an empty or unusable query gives an empty Vec. Never
    /// panics on any input.
    pub fn search(&self, query: &str, limit: usize) -> Vec<NameMatch> {
        if limit == 0 || self.is_empty() {
            return Vec::new();
        }
        let query = query_features(query, self.variants);
        if query.is_empty() {
            return Vec::new();
        }

        // Stage 1: every record sharing a token, with the best score per query token. Rare
        // tokens first, so that a common one may only rank what they found.
        let mut related: Vec<Related> = query
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let tokens = self.related_tokens(q);
                let volume = tokens
                    .iter()
                    .map(|&(t, _)| self.tokens[t as usize].records.len())
                    .sum();
                (i, tokens, volume)
            })
            .collect();
        related.sort_by_key(|r| r.2);
        let keep = limit.saturating_mul(8).max(MIN_RERANK);
        let mut at: Vec<u32> = vec![u32::MAX; self.slots.len()];
        let mut hits: Vec<(u32, [f32; MAX_QUERY_TOKENS])> = Vec::new();
        let mut strong = 0usize;
        for (i, tokens, volume) in related {
            let add_new = volume <= COMMON || strong < keep;
            for (t, sim) in tokens {
                for &slot in &self.tokens[t as usize].records {
                    let Some(pos) = at.get_mut(slot as usize) else {
                        continue;
                    };
                    if *pos == u32::MAX {
                        if !add_new {
                            continue;
                        }
                        *pos = u32::try_from(hits.len()).unwrap_or(u32::MAX);
                        hits.push((slot, [0.0; MAX_QUERY_TOKENS]));
                    }
                    if let Some((_, best)) = hits.get_mut(*pos as usize) {
                        if sim >= MATCH && best.iter().all(|&s| s < MATCH) {
                            strong += 1;
                        }
                        best[i] = best[i].max(sim);
                    }
                }
            }
        }
        if hits.is_empty() {
            return Vec::new();
        }
        let mut ranked: Vec<(f32, u32)> = hits
            .iter()
            .map(|(slot, best)| {
                let first: f32 = best
                    .iter()
                    .map(|&s| match s {
                        s if s >= MATCH => 2.0 + s,
                        s if s >= RELATED => 1.0 + s,
                        s => s,
                    })
                    .sum();
                (first, *slot)
            })
            .collect();
        let keep = keep.min(ranked.len());
        let by_first = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if keep < ranked.len() {
            ranked.select_nth_unstable_by(keep - 1, by_first);
            ranked.truncate(keep);
        }

        // Stage 2: every query token against every token of each candidate.
        let mut found: Vec<(bool, f32, u64)> = ranked
            .iter()
            .filter_map(|(_, slot)| self.slots.get(*slot as usize)?.as_ref())
            .map(|record| self.rerank(&query, record))
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        found.truncate(limit);
        found
            .into_iter()
            .map(|(likely, score, id)| NameMatch {
                id,
                score,
                strength: if likely {
                    MatchStrength::Likely
                } else {
                    MatchStrength::Possible
                },
            })
            .collect()
    }

    /// Tokens of the index a query token may be, with their score: the same spelling, the
    /// same known name, the same skeleton; then look-alikes (skeletons one letter apart and a
    /// Jaro-Winkler of at least [`LOOKALIKE`]) at their fuzzy score.
    fn related_tokens(&self, q: &Features) -> Vec<(u32, f32)> {
        let mut ids: Vec<u32> = Vec::new();
        if let Some(&t) = self.token_ids.get(&(q.arabic, q.text.clone())) {
            ids.push(t);
        }
        for key in q.keys() {
            if let Some(ts) = self.by_skeleton.get(key) {
                ids.extend_from_slice(ts);
            }
        }
        for &n in q.names.iter() {
            if let Some(ts) = self.by_name.get(n as usize) {
                ids.extend_from_slice(ts);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let mut near: Vec<u32> = Vec::new();
        if let Some(ts) = self.by_deletion.get(&q.skel) {
            near.extend_from_slice(ts);
        }
        for d in deletions(&q.skel) {
            for map in [&self.by_deletion, &self.by_skeleton] {
                if let Some(ts) = map.get(d.as_str()) {
                    near.extend_from_slice(ts);
                }
            }
        }
        near.sort_unstable();
        near.dedup();
        near.retain(|t| ids.binary_search(t).is_err());
        let mut out: Vec<(u32, f32)> = ids
            .into_iter()
            .filter_map(|t| {
                let token = self.tokens.get(t as usize)?;
                if token.records.is_empty() {
                    return None;
                }
                Some((t, token_sim(q, &token.features)))
            })
            .collect();
        out.extend(near.into_iter().filter_map(|t| {
            let token = self.tokens.get(t as usize)?;
            if token.records.is_empty()
                || strsim::jaro_winkler(&q.text, &token.features.text) < LOOKALIKE
            {
                return None;
            }
            Some((t, token_sim(q, &token.features)))
        }));
        out
    }

    /// (likely, score, id) of one candidate.
    fn rerank(&self, query: &[Features], record: &Record) -> (bool, f32, u64) {
        let features = |names: &[Box<[u32]>]| {
            names
                .iter()
                .map(|name| {
                    name.iter()
                        .filter_map(|&t| self.tokens.get(t as usize).map(|t| &t.features))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        let (given, aliases) = record.names.split_at(record.given.min(record.names.len()));
        let (likely, score) = answer(query, features(given).into_iter().map(|n| n.into_iter()));
        if likely || aliases.is_empty() {
            return (likely, score, record.id);
        }
        // An alias finds the person, as Possible only.
        let (_, alias_score) = answer(query, features(aliases).into_iter().map(|n| n.into_iter()));
        (false, score.max(alias_score), record.id)
    }

    fn intern(&mut self, word: &Word) -> u32 {
        let key = (word.arabic, Box::<str>::from(word.text.as_str()));
        if let Some(&t) = self.token_ids.get(&key) {
            return t;
        }
        let id = u32::try_from(self.tokens.len()).unwrap_or(u32::MAX);
        let features = Features::of(word, self.variants);
        for key in features.keys() {
            let ids = self.by_skeleton.entry(key.into()).or_default();
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        for d in deletions(&features.skel) {
            let ids = self.by_deletion.entry(d.into()).or_default();
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        for &n in features.names.iter() {
            if let Some(ts) = self.by_name.get_mut(n as usize) {
                ts.push(id);
            }
        }
        self.token_ids.insert(key, id);
        self.tokens.push(Token {
            features,
            records: Vec::new(),
        });
        id
    }
}

/// The query's distinct tokens (at most [`MAX_QUERY_TOKENS`]), compared.
fn query_features(query: &str, variants: &Variants) -> Vec<Features> {
    let mut words = tokens(query);
    let mut seen: Vec<Word> = Vec::with_capacity(words.len());
    words.retain(|t| {
        let new = !seen.contains(t);
        if new {
            seen.push(t.clone());
        }
        new
    });
    words.truncate(MAX_QUERY_TOKENS);
    words.iter().map(|t| Features::of(t, variants)).collect()
}

/// (likely, score) of a person's names for the query. The score is first the share of query
/// tokens that are related ([`RELATED`]), then how well they are answered (0.8) and how much
/// of the best-answering name the query covers (0.2).
fn answer<'a, N, T>(query: &[Features], names: N) -> (bool, f32)
where
    N: Iterator<Item = T>,
    T: Iterator<Item = &'a Features>,
{
    let mut best_q = [0.0f32; MAX_QUERY_TOKENS];
    let mut cover = 0.0f32;
    for name in names {
        let mut name_cover = 0.0f32;
        let mut len = 0usize;
        for token in name {
            len += 1;
            let mut best_t = 0.0f32;
            for (i, q) in query.iter().enumerate() {
                let s = token_sim(q, token);
                best_q[i] = best_q[i].max(s);
                best_t = best_t.max(s);
            }
            name_cover += best_t;
        }
        cover = cover.max(name_cover / len.max(1) as f32);
    }
    let answered = &best_q[..query.len()];
    let likely = !answered.is_empty() && answered.iter().all(|&s| s >= MATCH);
    let n = query.len().max(1) as f32;
    let mean = answered.iter().sum::<f32>() / n;
    let related = answered.iter().filter(|&&s| s >= RELATED).count() as f32 / n;
    (likely, 0.5 * related + 0.5 * (0.8 * mean + 0.2 * cover))
}

/// Whether `query` is the name of someone known by `names`, by the rules of
/// [`NameIndex::search`] and without an index: `Likely` when every word of the query is one of
/// their names' words (same spelling, known variant, or same skeleton with vowels that agree),
/// `Possible` when some word only shares its consonants or looks alike, `None` when nothing
/// matches. For the duplicate check, to ask about two people the store already holds.
pub fn compare(query: &str, names: &[&str]) -> Option<MatchStrength> {
    let variants = Variants::get();
    let query = query_features(query, variants);
    if query.is_empty() {
        return None;
    }
    let names: Vec<Vec<Features>> = names
        .iter()
        .map(|n| {
            tokens(n)
                .iter()
                .map(|t| Features::of(t, variants))
                .collect()
        })
        .collect();
    let (likely, _) = answer(&query, names.iter().map(|n| n.iter()));
    if likely {
        return Some(MatchStrength::Likely);
    }
    let related = query.iter().any(|q| {
        names.iter().flatten().any(|t| {
            q.shared_key(t).is_some() || strsim::jaro_winkler(&q.text, &t.text) >= LOOKALIKE
        })
    });
    related.then_some(MatchStrength::Possible)
}
