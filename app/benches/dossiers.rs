//! Name search as an officer meets it: `dossiers::people::search` over 200,000 generated people
//! in an encrypted `dossiers.db` (the index lookup, reading each hit's row through SQLCipher, and
//! the audit line the search writes, committed with `synchronous=FULL`). Prints its figures;
//! `cargo bench -p baom --bench dossiers`. The engine's own recall and latency are measured by
//! `cargo bench -p baom-domain --bench names`.

use baom::dossiers::people::{self, Query};
use std::time::Instant;

const PEOPLE: usize = 200_000;
const QUERIES: usize = 2_000;

/// Given names and family names as pairs of (Arabic, Latin spellings).
const GIVEN: &[(&str, &[&str])] = &[
    ("محمد", &["Mohamed", "Mohammed", "Muhammad", "Mhamed"]),
    ("فاطمة", &["Fatima", "Fatma", "Fadma"]),
    ("يوسف", &["Youssef", "Youcef", "Yusuf"]),
    ("عائشة", &["Aicha", "Aïcha", "Aisha"]),
    ("إبراهيم", &["Brahim", "Ibrahim"]),
    ("خديجة", &["Khadija", "Khadidja"]),
    ("الحسن", &["Lahcen", "Lahsen", "Hassan"]),
    ("زهرة", &["Zahra", "Zohra"]),
    ("عبد القادر", &["Abdelkader", "Abdulqadir", "Abd el-Kader"]),
    ("مريم", &["Meryem", "Maryam", "Mariam"]),
    ("عمر", &["Omar", "Umar"]),
    ("حسناء", &["Hasna", "Hassna"]),
    ("سعيد", &["Said", "Saïd", "Saeed"]),
    ("نادية", &["Nadia", "Nadya"]),
    ("رشيد", &["Rachid", "Rashid"]),
    ("أمينة", &["Amina", "Aminah"]),
];
const FAMILY: &[(&str, &[&str])] = &[
    ("آيت علي", &["Ait Ali", "Aït Ali", "Ayt Ali"]),
    ("أوشن", &["Ouchen", "Ouchene", "Ushen"]),
    ("بن موسى", &["Benmoussa", "Ben Moussa", "Bnmoussa"]),
    ("العمراني", &["Lamrani", "El Amrani", "Alamrani"]),
    ("الإدريسي", &["Idrissi", "El Idrissi", "Drissi"]),
    ("أمزيان", &["Amziane", "Amezian", "Amzian"]),
    ("بوعزة", &["Bouazza", "Bouaza"]),
    ("الفاسي", &["El Fassi", "Fassi", "Elfassi"]),
    ("ديالو", &["Diallo", "Jallow"]),
    ("واكادوكو", &["Ouedraogo", "Ouédraogo", "Wedraogo"]),
    ("تراوري", &["Traoré", "Traore"]),
    ("الحيحي", &["Lahyani", "El Hihi", "Hihi"]),
    ("أخياط", &["Akhiat", "Akhyat"]),
    ("بوزيد", &["Bouzid", "Bouzide"]),
    ("الكبير", &["Kabir", "El Kbir", "Lakbir"]),
    ("أوبلا", &["Oubella", "Oubala"]),
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let key = baom::vault::NewVault::generate(&[]).expect("vault").key;
    let path = dir.path().join("dossiers.db");
    // As in the service: each action's audit head is anchored in accounts.db after its commit.
    let anchor = baom::accounts::Accounts::open(&dir.path().join("accounts.db")).expect("accounts");
    let mut rng = Rng(0x5eed_ba0d_2026_1124);
    {
        let mut db =
            baom::dossiers::open(&path, &key, dir.path().join("scans"), Some(anchor.clone()))
                .expect("open");
        let tx = db.conn.transaction().expect("tx");
        {
            let mut insert = tx
                .prepare("INSERT INTO people (name_ar, name_latin, sex, birth_date, profile, phone, created_at, created_by, updated_at, last_activity) VALUES (?1, ?2, 'female', ?3, 'returnee', ?4, '', 'bench', '', '2026-11-24')")
                .expect("prepare");
            for i in 0..PEOPLE {
                let (g_ar, g_lat) = rng.pick(GIVEN);
                let (f_ar, f_lat) = rng.pick(FAMILY);
                let (father_ar, father_lat) = rng.pick(GIVEN);
                let ar = format!("{g_ar} {father_ar} {f_ar}");
                let lat = format!(
                    "{} {} {}",
                    rng.pick(g_lat),
                    rng.pick(father_lat),
                    rng.pick(f_lat)
                );
                let (ar, lat) = match i % 5 {
                    0 => (None, Some(lat)),
                    1 => (Some(ar), None),
                    _ => (Some(ar), Some(lat)),
                };
                insert
                    .execute(rusqlite::params![
                        ar,
                        lat,
                        format!("{}", 1940 + i % 60),
                        format!("06{:08}", i)
                    ])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let opened = Instant::now();
    let mut db = baom::dossiers::open(&path, &key, dir.path().join("scans"), Some(anchor.clone()))
        .expect("reopen");
    let open_s = opened.elapsed().as_secs_f64();
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0);
    let mut times = Vec::with_capacity(QUERIES);
    let mut index_only = Vec::with_capacity(QUERIES);
    let mut audit_only = Vec::with_capacity(QUERIES);
    let mut found = 0usize;
    for n in 0..QUERIES {
        let (g_ar, g_lat) = rng.pick(GIVEN);
        let (f_ar, f_lat) = rng.pick(FAMILY);
        let query = match n % 3 {
            0 => format!("{g_ar} {f_ar}"),
            1 => format!("{} {}", rng.pick(g_lat), rng.pick(f_lat)),
            _ => rng.pick(f_lat).to_string(),
        };
        let t = Instant::now();
        let hits = people::search(&mut db, "bench", Query::Name(&query), 10).expect("search");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        // Its parts: the index alone, and an audit line alone (one fsync'ed commit).
        let t = Instant::now();
        std::hint::black_box(db.names.search(&query, 10));
        index_only.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        db.log_event("bench", "person.search", "").expect("audit");
        audit_only.push(t.elapsed().as_secs_f64() * 1000.0);
        found += usize::from(!hits.is_empty());
    }
    for t in [&mut times, &mut index_only, &mut audit_only] {
        t.sort_by(|a, b| a.total_cmp(b));
    }
    let at = |v: &[f64], p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
    let q = |p: f64| at(&times, p);
    println!(
        "dossiers.db with {PEOPLE} people: open + index build {open_s:.2} s, RSS {:.1} MB",
        rss as f64 / 1024.0
    );
    println!(
        "people::search over {QUERIES} queries (Arabic, Latin, family name alone): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} with hits",
        q(0.50),
        q(0.95),
        q(0.99),
        times[times.len() - 1],
        found
    );
    println!(
        "  of which the index alone: p50 {:.2} ms, p95 {:.2} ms; one audit line (fsync'ed commit): p50 {:.2} ms, p95 {:.2} ms",
        at(&index_only, 0.5),
        at(&index_only, 0.95),
        at(&audit_only, 0.5),
        at(&audit_only, 0.95)
    );
}
