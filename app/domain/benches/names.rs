//! Name search on 200,000 generated people: index build time, memory, search latency, and
//! recall on the recall set kept in the repo (`src/names/recall.tsv`).
//!
//! Run with `cargo bench -p baom-domain --bench names` (the bench profile is an optimised
//! build). Everything is deterministic: the people come from a seeded xorshift over the
//! spellings of `src/names/variants.txt` and of the recall set, with spelling noise, so two runs
//! index the same people and ask the same questions.
//!
//! People: a given name drawn with a Zipf-like skew (Mohamed, the first line, is the most
//! common), sometimes a father's name, and a family name (dictionary, recall set, or built as
//! Ben/Aït + a given name). Each is indexed with an Arabic and a Latin spelling (45 %), a Latin
//! one only (35 %) or an Arabic one only (20 %). 15 % of Latin words get a spelling change no
//! dictionary knows (a doubled or undoubled letter, ou/u, e/a, i/y).
//!
//! Recall: each stored spelling of the recall set is one more person (random id among the
//! others'); a hit is that person among the first 10 results of the query spelling.

use baom_domain::names::{MatchStrength, NameIndex};
use std::time::{Duration, Instant};

const PEOPLE: usize = 200_000;
const RANDOM_QUERIES: usize = 2_000;
const VARIANTS: &str = include_str!("../src/names/variants.txt");
const RECALL: &str = include_str!("../src/names/recall.tsv");

/// xorshift64*: enough for a reproducible population; not for anything secret.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// The spellings of one name in each script.
#[derive(Clone, Default)]
struct Name {
    arabic: Vec<String>,
    latin: Vec<String>,
}

fn is_arabic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

fn name_of(spellings: &[&str]) -> Name {
    let mut n = Name::default();
    for s in spellings.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if is_arabic(s) {
            n.arabic.push(s.to_string());
        } else if s
            .chars()
            .all(|c| c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c))
        {
            n.latin.push(s.to_string());
        }
    }
    n
}

/// Given and family names of the dictionary, by its section headers.
fn dictionary() -> (Vec<Name>, Vec<Name>) {
    let (mut given, mut family) = (Vec::new(), Vec::new());
    let mut in_given = true;
    for line in VARIANTS.lines() {
        if let Some(h) = line.strip_prefix("# ---") {
            in_given = h.contains("Given");
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let n = name_of(&line.split(',').collect::<Vec<_>>());
        if n.latin.is_empty() {
            continue;
        }
        if in_given { &mut given } else { &mut family }.push(n);
    }
    (given, family)
}

struct RecallPair {
    stored: String,
    query: String,
    kind: String,
}

fn recall_set() -> Vec<RecallPair> {
    RECALL
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some(RecallPair {
                stored: f.next()?.to_string(),
                query: f.next()?.to_string(),
                kind: f.next().unwrap_or("").to_string(),
            })
        })
        .collect()
}

/// A spelling change no dictionary knows.
fn noise(rng: &mut Rng, word: &str) -> String {
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

fn person(rng: &mut Rng, given: &[Name], weights: &[f64], family: &[Name]) -> Vec<String> {
    let g = pick_weighted(rng, given, weights);
    let father = rng.chance(0.3).then(|| pick_weighted(rng, given, weights));
    let f = rng.pick(family);
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
        let la: Vec<String> = parts.iter().map(|p| latin(rng, p)).collect();
        names.push(la.join(" "));
    }
    names
}

fn pick_weighted<'a>(rng: &mut Rng, items: &'a [Name], cumulative: &[f64]) -> &'a Name {
    let total = cumulative.last().copied().unwrap_or(1.0);
    let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
    let i = cumulative.partition_point(|&c| c < x).min(items.len() - 1);
    &items[i]
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (given, mut family) = dictionary();
    let recall = recall_set();
    // The recall set's names are in the population too, so its people have namesakes.
    let mut given = given;
    for pair in &recall {
        let words: Vec<&str> = pair.stored.split(' ').collect();
        if words.len() >= 2 && !words[0].is_empty() {
            given.push(name_of(&[words[0]]));
            family.push(name_of(&[&words[1..].join(" ")]));
        }
    }
    // Family names built from given names: Ben Ali, Aït Brahim.
    for g in given.iter().take(120) {
        for (la, ar) in [("Ben ", "بن "), ("Ait ", "آيت ")] {
            family.push(Name {
                arabic: g
                    .arabic
                    .iter()
                    .take(1)
                    .map(|a| format!("{ar}{a}"))
                    .collect(),
                latin: g.latin.iter().take(3).map(|l| format!("{la}{l}")).collect(),
            });
        }
    }
    given.retain(|n| !n.latin.is_empty() || !n.arabic.is_empty());
    family.retain(|n| !n.latin.is_empty());
    given.retain(|n| !n.latin.is_empty());
    let mut acc = 0.0;
    let weights: Vec<f64> = (0..given.len())
        .map(|r| {
            acc += 1.0 / ((r + 1) as f64).powf(0.9);
            acc
        })
        .collect();

    let mut people: Vec<(u64, Vec<String>)> = Vec::with_capacity(PEOPLE);
    for _ in 0..PEOPLE {
        let id = rng.next();
        people.push((id, person(&mut rng, &given, &weights, &family)));
    }
    let recall_ids: Vec<u64> = recall.iter().map(|_| rng.next()).collect();

    let rss_before = rss_kib();
    let start = Instant::now();
    let mut index = NameIndex::new();
    for (id, names) in &people {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        index.insert(*id, &names);
    }
    for (pair, id) in recall.iter().zip(&recall_ids) {
        index.insert(*id, &[&pair.stored]);
    }
    let build = start.elapsed();
    let rss_after = rss_kib();

    // Recall queries.
    let mut latencies = Vec::new();
    let mut hits = 0usize;
    let mut likely_hits = 0usize;
    let mut likely_shown = 0usize;
    let mut crowded = 0usize;
    let mut by_kind: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    let mut misses = Vec::new();
    let mut different = 0usize;
    let mut false_likely = Vec::new();
    let mut same = 0usize;
    for (pair, id) in recall.iter().zip(&recall_ids) {
        let t = Instant::now();
        let found = index.search(&pair.query, 10);
        latencies.push(t.elapsed());
        let shown = found.iter().find(|m| m.id == *id);
        if pair.kind.starts_with("different") {
            different += 1;
            if shown.is_some_and(|m| m.strength == MatchStrength::Likely) {
                false_likely.push(format!("  {} -> {}", pair.stored, pair.query));
            }
            continue;
        }
        same += 1;
        likely_shown += found
            .iter()
            .filter(|m| m.strength == MatchStrength::Likely)
            .count();
        let e = by_kind.entry(pair.kind.clone()).or_default();
        e.1 += 1;
        match shown {
            Some(m) => {
                hits += 1;
                e.0 += 1;
                if m.strength == MatchStrength::Likely {
                    likely_hits += 1;
                }
            }
            None => {
                let likely = found
                    .iter()
                    .filter(|m| m.strength == MatchStrength::Likely)
                    .count();
                if likely == 10 {
                    crowded += 1;
                }
                misses.push(format!(
                    "  {} -> {} ({}; {} Likely in the 10 shown)",
                    pair.stored, pair.query, pair.kind, likely
                ));
            }
        }
    }

    // Random queries: a person's name as stored, with noise, or only one of its words.
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for _ in 0..RANDOM_QUERIES {
        let (_, names) = rng.pick(&people);
        let name = rng.pick(names).clone();
        let q = match rng.below(10) {
            0 => name.split(' ').next().unwrap_or("").to_string(),
            1..=3 => name
                .split(' ')
                .map(|w| noise(&mut rng, w))
                .collect::<Vec<_>>()
                .join(" "),
            _ => name,
        };
        let t = Instant::now();
        let found = index.search(&q, 10);
        let took = t.elapsed();
        latencies.push(took);
        slowest.push((took, q));
        std::hint::black_box(found);
    }
    latencies.sort();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));

    println!(
        "name search bench: {} generated people + {} recall people",
        PEOPLE,
        recall.len()
    );
    println!(
        "index build: {:.2} s ({} records)",
        build.as_secs_f64(),
        index.len()
    );
    println!(
        "memory: index estimate {:.1} MiB; process RSS grew {} MiB during the build",
        index.heap_bytes_estimate() as f64 / 1_048_576.0,
        match (rss_before, rss_after) {
            (Some(a), Some(b)) => format!("{:.1}", b.saturating_sub(a) as f64 / 1024.0),
            _ => "?".to_string(),
        }
    );
    println!(
        "search ({} queries: {} recall + {} random, limit 10): p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        recall.len(),
        RANDOM_QUERIES,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    println!(
        "recall@10: {:.3} ({hits}/{same}); hits ranked Likely: {:.3} ({likely_hits}/{hits})",
        hits as f64 / same.max(1) as f64,
        likely_hits as f64 / hits.max(1) as f64,
    );
    println!(
        "Likely results per recall query (of the 10 shown): {:.2} on average",
        likely_shown as f64 / same.max(1) as f64
    );
    println!(
        "different people with look-alike names shown as Likely: {}/{different}",
        false_likely.len()
    );
    for f in &false_likely {
        println!("{f}");
    }
    let (held_hits, held) = by_kind
        .iter()
        .filter(|(k, _)| k.starts_with("heldout"))
        .fold((0, 0), |(h, n), (_, (a, b))| (h + a, n + b));
    println!(
        "held-out pairs (not used to tune the rules): recall@10 {:.3} ({held_hits}/{held})",
        held_hits as f64 / held.max(1) as f64
    );
    println!(
        "misses where the 10 shown were all Likely (namesakes ranked first): {}",
        crowded
    );
    for (kind, (h, n)) in &by_kind {
        println!("  {kind}: {:.3} ({h}/{n})", *h as f64 / *n as f64);
    }
    println!("slowest random queries:");
    for (d, q) in slowest.iter().take(8) {
        println!("  {:.3} ms  {q}", d.as_secs_f64() * 1000.0);
    }
    println!("misses ({}):", misses.len());
    for m in &misses {
        println!("{m}");
    }
}
