//! How well the search does, measured the same way by `benches/names.rs` (200,000 people,
//! optimised) and by the held-out floor test (`tests.rs`, a smaller index in a debug build).
//!
//! Four recall sets, each a list of (stored spelling, query spelling) of one person:
//! `recall.tsv` (written by this project), `recall-sourced.tsv`, `recall-dev.tsv` and
//! `recall-heldout.tsv` (from outside sources, see their headers: the sourced set's names are
//! in the dictionary, the development set's are in none, so it measures the rules alone; the
//! held-out one is never tuned on and its misses are never printed). Every stored
//! spelling is one more person among people generated from a seed over `variants.txt` and the
//! recall sets' names, with spelling noise.
//!
//! Two figures per set, apart for same-script and cross-script pairs:
//! - recall@10: the person is among the first 10 results of the query;
//! - false Likely: the share of queries whose 10 results show as Likely someone whose name is
//!   a different name. Who has the same name is known from how the people were made: every
//!   word of a generated person comes from a line of `variants.txt` or a recall set's name,
//!   and the recall-sourced sets give each word's identity (its Arabic spelling). Spellings of
//!   one dictionary line, the two spellings of a same-person pair in `recall.tsv`, words
//!   with the same Arabic spelling, and a Latin spelling the sourced sets give to one Arabic
//!   spelling only with that spelling are one name; nothing else is. (So a Likely for a
//!   spelling no source links, Ranya for Rania, counts as wrong: the figure errs high.)
//!
//! This file is used by the bench through `#[path]`, so it uses only the public API (the
//! including module brings `NameIndex`, `MatchStrength` and `normalise` into scope).

use super::{MatchStrength, NameIndex, normalise};
use std::collections::HashMap;

const VARIANTS: &str = include_str!("variants.txt");
const WRITTEN: &str = include_str!("recall.tsv");
const SOURCED: &str = include_str!("recall-sourced.tsv");
const HELDOUT: &str = include_str!("recall-heldout.tsv");
const DEV: &str = include_str!("recall-dev.tsv");

/// Which recall set a pair is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Set {
    /// `recall.tsv`, written by this project and tuned on.
    Written,
    /// `recall-sourced.tsv`, from outside sources, tuned on.
    Sourced,
    /// `recall-dev.tsv`, from outside sources, names no dictionary knows: the rules alone,
    /// tuned on.
    Dev,
    /// `recall-heldout.tsv`, from outside sources, never tuned on.
    HeldOut,
}

impl Set {
    pub const ALL: [Set; 4] = [Set::Written, Set::Sourced, Set::Dev, Set::HeldOut];

    pub fn label(self) -> &'static str {
        match self {
            Set::Written => "written (tuned)",
            Set::Sourced => "sourced (tuned)",
            Set::Dev => "rules alone (dev)",
            Set::HeldOut => "sourced HELD OUT",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pair {
    pub stored: String,
    pub query: String,
    pub set: Set,
    pub kind: String,
    /// Stored and query spellings in different scripts.
    pub cross: bool,
    /// Two different people with look-alike names (only in `recall.tsv`).
    pub different: bool,
    /// The Arabic spelling of each word (the recall-sourced sets).
    pub identity: Option<Vec<String>>,
}

fn is_arabic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

fn parse(text: &str, set: Set) -> Vec<Pair> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            let stored = f.next()?.to_string();
            let query = f.next()?.to_string();
            let kind = f.next().unwrap_or("").to_string();
            let identity = f
                .next()
                .map(|g| g.split(' ').map(str::to_string).collect::<Vec<_>>());
            Some(Pair {
                cross: is_arabic(&stored) != is_arabic(&query),
                different: kind.starts_with("different"),
                stored,
                query,
                set,
                kind,
                identity,
            })
        })
        .collect()
}

/// Every pair of the four sets.
pub fn pairs() -> Vec<Pair> {
    let mut all = parse(WRITTEN, Set::Written);
    all.extend(parse(SOURCED, Set::Sourced));
    all.extend(parse(DEV, Set::Dev));
    all.extend(parse(HELDOUT, Set::HeldOut));
    all
}

/// xorshift64*: enough for a reproducible population; not for anything secret.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Names are the same name when they are in one class of this union-find.
#[derive(Default)]
struct Identities {
    ids: HashMap<String, usize>,
    parent: Vec<usize>,
}

impl Identities {
    fn node(&mut self, key: &str) -> usize {
        if let Some(&n) = self.ids.get(key) {
            return n;
        }
        let n = self.parent.len();
        self.parent.push(n);
        self.ids.insert(key.to_string(), n);
        n
    }
    fn find(&mut self, mut n: usize) -> usize {
        while self.parent[n] != n {
            self.parent[n] = self.parent[self.parent[n]];
            n = self.parent[n];
        }
        n
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a] = b;
        }
    }
    /// The node of a spelling's tokens, by script (an Arabic `ayman` is not a Latin one).
    fn spelling(&mut self, s: &str) -> Vec<usize> {
        let script = if is_arabic(s) { "a" } else { "l" };
        normalise(s)
            .iter()
            .map(|t| self.node(&format!("t:{script}:{t}")))
            .collect()
    }
}

/// The spellings of one name in each script, and who it is.
#[derive(Clone)]
struct Name {
    arabic: Vec<String>,
    latin: Vec<String>,
    node: usize,
}

/// The generated people and the recall sets' people, with the identity of every word.
pub struct Population {
    pub people: Vec<(u64, Vec<String>)>,
    /// Identity classes of each person's words (same order as `people`, then `recall`).
    classes: Vec<Vec<usize>>,
    /// For each pair: its person's id and the identity classes of the query's words.
    pub recall: Vec<(Pair, u64)>,
    query_classes: Vec<Vec<usize>>,
    slot_of: HashMap<u64, usize>,
}

/// A spelling change no dictionary knows.
pub fn noise(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 3 {
        return word.to_string();
    }
    let at = 1 + rng.below(chars.len() - 1);
    let c = chars[at];
    let mut out: Vec<char> = chars.clone();
    match rng.below(4) {
        0 if !"aeiou".contains(c) => out.insert(at, c),
        0 | 1 if at + 1 < chars.len() && chars[at + 1] == c => {
            out.remove(at);
        }
        2 if c == 'e' => out[at] = 'a',
        2 if c == 'a' => out[at] = 'e',
        3 if c == 'i' => out[at] = 'y',
        _ if c == 'u' && chars[at - 1] != 'o' => out.insert(at, 'o'),
        _ => {}
    }
    out.into_iter().collect()
}

fn latin(rng: &mut Rng, n: &Name) -> String {
    // The first spellings are the common ones.
    let i = rng.below(n.latin.len()).min(rng.below(n.latin.len()));
    let s = &n.latin[i];
    if rng.chance(0.15) {
        noise(rng, s)
    } else {
        s.clone()
    }
}

fn pick_weighted<'a>(rng: &mut Rng, items: &'a [Name], cumulative: &[f64]) -> &'a Name {
    let total = cumulative.last().copied().unwrap_or(1.0);
    let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
    let i = cumulative.partition_point(|&c| c < x).min(items.len() - 1);
    &items[i]
}

/// `people` generated people (seeded) plus one person per recall pair.
///
/// People: a given name drawn with a Zipf-like skew (the dictionary's first lines are the
/// commonest), sometimes a father's name, and a family name (dictionary, recall sets, or
/// Ben/Aït + a given name). Each is indexed with an Arabic and a Latin spelling (45 %), a Latin
/// one only (35 %) or an Arabic one only (20 %). 15 % of Latin words get a spelling change no
/// dictionary knows (a doubled or undoubled letter, ou/u, e/a, i/y).
pub fn population(people: usize, seed: u64) -> Population {
    let mut rng = Rng(seed);
    let mut ids = Identities::default();
    let (mut given, mut family) = (Vec::new(), Vec::new());
    let mut in_given = true;
    for (line_no, line) in VARIANTS.lines().enumerate() {
        if let Some(h) = line.strip_prefix("# ---") {
            in_given = h.contains("Given");
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let node = ids.node(&format!("d:{line_no}"));
        let mut n = Name {
            arabic: Vec::new(),
            latin: Vec::new(),
            node,
        };
        for s in line.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            for t in ids.spelling(s) {
                ids.union(node, t);
            }
            if is_arabic(s) {
                n.arabic.push(s.to_string());
            } else if s
                .chars()
                .all(|c| c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c))
            {
                n.latin.push(s.to_string());
            }
        }
        if !n.latin.is_empty() {
            if in_given { &mut given } else { &mut family }.push(n);
        }
    }

    // The recall sets' names are in the population too, so their people have namesakes.
    let recall_pairs = pairs();
    // A Latin spelling the sourced sets give to one Arabic spelling only is that name (one
    // given to two, as Salah to صلاح and صالح, says nothing).
    let mut latin_of: HashMap<String, Vec<String>> = HashMap::new();
    for pair in &recall_pairs {
        let Some(keys) = &pair.identity else { continue };
        for side in [&pair.stored, &pair.query] {
            if is_arabic(side) {
                continue;
            }
            for (word, key) in side.split(' ').zip(keys) {
                let seen = latin_of.entry(word.to_lowercase()).or_default();
                if !seen.contains(key) {
                    seen.push(key.clone());
                }
            }
        }
    }
    for (word, keys) in &latin_of {
        if let [key] = keys.as_slice() {
            let k = ids.node(&format!("k:{key}"));
            for t in ids.spelling(word) {
                ids.union(k, t);
            }
        }
    }
    let mut query_classes_nodes: Vec<Vec<usize>> = Vec::new();
    let mut stored_nodes: Vec<Vec<usize>> = Vec::new();
    let mut by_identity: HashMap<String, usize> = HashMap::new();
    for pair in &recall_pairs {
        match &pair.identity {
            Some(keys) => {
                // One node per Arabic spelling (by its normalised token, so أ/ا fold).
                let nodes: Vec<usize> = keys
                    .iter()
                    .map(|k| {
                        let t = ids.spelling(k);
                        let n = ids.node(&format!("k:{k}"));
                        for t in t {
                            ids.union(n, t);
                        }
                        n
                    })
                    .collect();
                let stored_words: Vec<&str> = pair.stored.split(' ').collect();
                for (i, (word, &node)) in stored_words.iter().zip(&nodes).enumerate() {
                    let at = *by_identity.entry(keys[i].clone()).or_insert_with(|| {
                        let list = if i == 0 { &mut given } else { &mut family };
                        list.push(Name {
                            arabic: vec![keys[i].clone()],
                            latin: Vec::new(),
                            node,
                        });
                        (usize::from(i != 0) << 31) | (list.len() - 1)
                    });
                    let list = if at >> 31 == 0 {
                        &mut given
                    } else {
                        &mut family
                    };
                    let name = &mut list[at & 0x7FFF_FFFF];
                    if !is_arabic(word) && !name.latin.iter().any(|l| l == word) {
                        name.latin.push(word.to_string());
                    }
                }
                query_classes_nodes.push(nodes.clone());
                stored_nodes.push(nodes);
            }
            None => {
                let stored = ids.spelling(&pair.stored);
                let query = ids.spelling(&pair.query);
                if !pair.different && stored.len() == query.len() {
                    for (&a, &b) in stored.iter().zip(&query) {
                        ids.union(a, b);
                    }
                }
                let words: Vec<&str> = pair.stored.split(' ').collect();
                if words.len() >= 2 && !words[0].is_empty() && !is_arabic(&pair.stored) {
                    for (i, part) in [words[0].to_string(), words[1..].join(" ")]
                        .into_iter()
                        .enumerate()
                    {
                        let nodes = ids.spelling(&part);
                        let node = ids.node(&format!("w:{part}"));
                        for t in nodes {
                            ids.union(node, t);
                        }
                        let n = Name {
                            arabic: Vec::new(),
                            latin: vec![part],
                            node,
                        };
                        if i == 0 { &mut given } else { &mut family }.push(n);
                    }
                }
                query_classes_nodes.push(query);
                stored_nodes.push(stored);
            }
        }
    }
    // Family names built from given names: Ben Ali, Aït Brahim.
    let built: Vec<Name> = given
        .iter()
        .take(120)
        .flat_map(|g| {
            [("Ben ", "بن ", "ben"), ("Ait ", "آيت ", "ait")].map(|(la, ar, tag)| {
                (
                    g.node,
                    tag,
                    g.arabic
                        .iter()
                        .take(1)
                        .map(|a| format!("{ar}{a}"))
                        .collect::<Vec<_>>(),
                    g.latin
                        .iter()
                        .take(3)
                        .map(|l| format!("{la}{l}"))
                        .collect::<Vec<_>>(),
                )
            })
        })
        .map(|(base, tag, arabic, latin)| {
            let node = ids.node(&format!("{tag}:{base}"));
            for s in arabic.iter().chain(&latin) {
                for t in ids.spelling(s) {
                    ids.union(node, t);
                }
            }
            Name {
                arabic,
                latin,
                node,
            }
        })
        .collect();
    family.extend(built);
    family.retain(|n| !n.latin.is_empty());
    given.retain(|n| !n.latin.is_empty());
    let mut acc = 0.0;
    let weights: Vec<f64> = (0..given.len())
        .map(|r| {
            acc += 1.0 / ((r + 1) as f64).powf(0.9);
            acc
        })
        .collect();

    let mut out: Vec<(u64, Vec<String>)> = Vec::with_capacity(people + recall_pairs.len());
    let mut class_nodes: Vec<Vec<usize>> = Vec::with_capacity(people + recall_pairs.len());
    for _ in 0..people {
        let id = rng.next();
        let g = pick_weighted(&mut rng, &given, &weights);
        let father = rng
            .chance(0.3)
            .then(|| pick_weighted(&mut rng, &given, &weights));
        let f = rng.pick(&family);
        let mut parts = vec![g];
        parts.extend(father);
        parts.push(f);
        let all_arabic = parts.iter().all(|p| !p.arabic.is_empty());
        let roll = rng.below(100);
        let mut names = Vec::new();
        if all_arabic && roll < 65 {
            let ar: Vec<String> = parts.iter().map(|p| p.arabic[0].clone()).collect();
            names.push(ar.join(" "));
        }
        if !all_arabic || !(45..65).contains(&roll) {
            let la: Vec<String> = parts.iter().map(|p| latin(&mut rng, p)).collect();
            names.push(la.join(" "));
        }
        class_nodes.push(parts.iter().map(|p| p.node).collect());
        out.push((id, names));
    }
    let mut recall = Vec::with_capacity(recall_pairs.len());
    for (pair, nodes) in recall_pairs.into_iter().zip(stored_nodes) {
        let id = rng.next();
        out.push((id, vec![pair.stored.clone()]));
        class_nodes.push(nodes);
        recall.push((pair, id));
    }
    let classes: Vec<Vec<usize>> = class_nodes
        .iter()
        .map(|ns| ns.iter().map(|&n| ids.find(n)).collect())
        .collect();
    let query_classes = query_classes_nodes
        .iter()
        .map(|ns| ns.iter().map(|&n| ids.find(n)).collect())
        .collect();
    let slot_of = out
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    Population {
        people: out,
        classes,
        recall,
        query_classes,
        slot_of,
    }
}

impl Population {
    pub fn index(&self) -> NameIndex {
        let mut index = NameIndex::new();
        for (id, names) in &self.people {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            index.insert(*id, &names);
        }
        index
    }

    /// Whether the person `id` has the query's name (every word of it), as far as the
    /// population knows.
    fn same_name(&self, recall_at: usize, id: u64) -> bool {
        let Some(&slot) = self.slot_of.get(&id) else {
            return false;
        };
        let theirs = &self.classes[slot];
        self.query_classes[recall_at]
            .iter()
            .all(|c| theirs.contains(c))
    }
}

/// Counts for one (set, same- or cross-script) cell.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cell {
    /// Same-person pairs, and those found in the first 10.
    pub pairs: usize,
    pub hits: usize,
    /// Hits shown as Likely.
    pub likely_hits: usize,
    /// All queries (same-person and different-people pairs), and those whose 10 results show
    /// a different name as Likely.
    pub queries: usize,
    pub false_likely: usize,
    /// Different-people pairs, and those whose stored person was shown as Likely.
    pub different: usize,
    pub different_likely: usize,
}

impl Cell {
    pub fn recall(&self) -> f64 {
        self.hits as f64 / self.pairs.max(1) as f64
    }
    pub fn false_likely_share(&self) -> f64 {
        self.false_likely as f64 / self.queries.max(1) as f64
    }
    pub fn add(&mut self, o: &Cell) {
        self.pairs += o.pairs;
        self.hits += o.hits;
        self.likely_hits += o.likely_hits;
        self.queries += o.queries;
        self.false_likely += o.false_likely;
        self.different += o.different;
        self.different_likely += o.different_likely;
    }
}

/// What one run of the recall queries found.
#[derive(Debug, Default)]
pub struct Report {
    /// By (set, cross-script).
    pub cells: std::collections::BTreeMap<(Set, bool), Cell>,
    /// Misses and false Likely of the tuned sets, to read (never of the held-out set).
    pub tuned_misses: Vec<String>,
    pub tuned_false_likely: Vec<String>,
    /// Same-person pairs of the tuned sets found but only as Possible.
    pub tuned_possible_hits: Vec<String>,
}

impl Report {
    pub fn cell(&self, set: Set, cross: bool) -> Cell {
        self.cells.get(&(set, cross)).copied().unwrap_or_default()
    }
    pub fn set(&self, set: Set) -> Cell {
        let mut c = self.cell(set, false);
        c.add(&self.cell(set, true));
        c
    }
}

/// Runs every recall query against `index` (built from this population).
pub fn run(pop: &Population, index: &NameIndex) -> Report {
    run_sets(pop, index, &Set::ALL)
}

/// Runs the recall queries of `sets` only.
pub fn run_sets(pop: &Population, index: &NameIndex, sets: &[Set]) -> Report {
    let mut report = Report::default();
    for (at, (pair, id)) in pop.recall.iter().enumerate() {
        if !sets.contains(&pair.set) {
            continue;
        }
        let found = index.search(&pair.query, 10);
        let cell = report.cells.entry((pair.set, pair.cross)).or_default();
        cell.queries += 1;
        let wrong: Vec<u64> = found
            .iter()
            .filter(|m| m.strength == MatchStrength::Likely && !pop.same_name(at, m.id))
            .map(|m| m.id)
            .collect();
        if !wrong.is_empty() {
            cell.false_likely += 1;
        }
        let shown = found.iter().find(|m| m.id == *id);
        if pair.different {
            cell.different += 1;
            if shown.is_some_and(|m| m.strength == MatchStrength::Likely) {
                cell.different_likely += 1;
            }
        } else {
            cell.pairs += 1;
            if let Some(m) = shown {
                cell.hits += 1;
                if m.strength == MatchStrength::Likely {
                    cell.likely_hits += 1;
                }
            }
        }
        if pair.set == Set::HeldOut {
            continue;
        }
        let name_of = |id: u64| {
            pop.slot_of
                .get(&id)
                .map(|&s| pop.people[s].1.join(" / "))
                .unwrap_or_default()
        };
        if !wrong.is_empty() {
            report.tuned_false_likely.push(format!(
                "  {} ({}): {}",
                pair.query,
                pair.kind,
                wrong
                    .iter()
                    .take(3)
                    .map(|&w| name_of(w))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        if !pair.different && shown.is_some_and(|m| m.strength == MatchStrength::Possible) {
            report.tuned_possible_hits.push(format!(
                "  {} -> {} ({})",
                pair.stored, pair.query, pair.kind
            ));
        }
        if !pair.different && shown.is_none() {
            let likely = found
                .iter()
                .filter(|m| m.strength == MatchStrength::Likely)
                .count();
            let first: Vec<String> = found
                .iter()
                .take(3)
                .map(|m| format!("{} {:.2}", name_of(m.id), m.score))
                .collect();
            report.tuned_misses.push(format!(
                "  {} -> {} ({}; {} Likely in the 10 shown; first: {})",
                pair.stored,
                pair.query,
                pair.kind,
                likely,
                first.join("; ")
            ));
        }
    }
    report
}
