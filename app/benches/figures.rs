//! A year's figures for a large commune, and the list of cases, through the real stores: 20,000
//! people, 30,000 cases, 10,000 referrals, 100,000 visits in the register and 2,000 households
//! in an encrypted `dossiers.db`, 100,000 tickets in `queue.db`. Prints the time to read the
//! year's rows and compute its figures (target ≤ 100 ms), and the case list's page with three
//! filters (target p95 ≤ 20 ms). `cargo bench -p baom --bench figures`; with
//! `BAOM_BENCH_PARTS=1` it also prints where a year's figures spend their time and each filter's.

use baom::dossiers::{case_list, census, register};
use baom_domain::dossier::listing::CaseFilter;
use baom_domain::figures::compute::Facts;
use baom_domain::figures::sample::Sample;
use baom_domain::figures::{Period, Scope};
use jiff::civil::date;
use rusqlite::params;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const PEOPLE: u64 = 20_000;
const CASES: u64 = 30_000;
const REFERRALS: u64 = 10_000;
const VISITS: u64 = 100_000;
const TICKETS: u64 = 100_000;
const HOUSEHOLDS: u64 = 2_000;
const DESK_VISITS: u64 = 40_000;
const DOUARS: [&str; 8] = [
    "Tinfat",
    "Assaisse",
    "Ait Ali",
    "Tizgui",
    "Imi n'Tala",
    "Agadir",
    "Ifri",
    "Tagmout",
];

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let key = baom::vault::NewVault::generate(&[]).expect("vault").key;
    let anchor = baom::accounts::Accounts::open(&dir.path().join("accounts.db")).expect("accounts");
    let mut db = baom::dossiers::open(
        &dir.path().join("dossiers.db"),
        &key,
        dir.path().join("scans"),
        Some(anchor),
    )
    .expect("open");
    let mut rng = Sample::new(0x5eed_f12e_2026_1202);
    let started = Instant::now();
    {
        let tx = db.conn.transaction().expect("tx");
        let mut person = tx.prepare("INSERT INTO people (name_latin, sex, profile, douar, created_at, created_by, updated_at, last_activity) VALUES (?1, ?2, ?3, ?4, '', 'bench', '', '2026-11-24')").expect("people");
        for i in 0..PEOPLE {
            person
                .execute(params![
                    format!("Person {i}"),
                    rng.pick(&["female", "male"]),
                    rng.pick(&["abroad", "returnee", "dependant", "foreigner"]),
                    rng.pick(&DOUARS)
                ])
                .expect("person");
        }
        let mut case = tx.prepare("INSERT INTO cases (person_id, need, procedure_id, status, opened_on, opened_by, closed_on, follow_up_on) VALUES (?1, 'besoin', ?2, ?3, ?4, ?5, ?6, ?7)").expect("cases");
        for i in 0..CASES {
            let opened = rng.day(date(2026, 1, 1), 365);
            let closed = (rng.draw() % 10 < 4).then(|| {
                opened
                    .checked_add(jiff::Span::new().days((rng.draw() % 60) as i64))
                    .expect("closed")
                    .to_string()
            });
            let follow = rng.draw().is_multiple_of(3).then(|| {
                opened
                    .checked_add(jiff::Span::new().days(30))
                    .expect("follow")
                    .to_string()
            });
            case.execute(params![
                (i % PEOPLE + 1) as i64,
                rng.pick(&[
                    "child-birth-registration",
                    "survivor-pension-france",
                    "health-cover"
                ]),
                if closed.is_some() { "closed" } else { "open" },
                opened.to_string(),
                rng.pick(&["amina", "youssef", "fatima"]),
                closed,
                follow
            ])
            .expect("case");
        }
        let mut referral = tx.prepare("INSERT INTO referrals (case_id, body, state, sent_on, sent_by, due_on) VALUES (?1, ?2, ?3, ?4, 'amina', ?4)").expect("referrals");
        for _ in 0..REFERRALS {
            referral
                .execute(params![
                    (rng.draw() % CASES + 1) as i64,
                    rng.pick(&["cnss", "civil_registry", "anapec", "unhcr", "association"]),
                    rng.pick(&["sent", "accepted", "done", "refused"]),
                    rng.day(date(2026, 1, 1), 365).to_string()
                ])
                .expect("referral");
        }
        // The register and the census from the generator the demo and the tests use.
        let mut sample = Sample::new(0x5eed_f12e_2026_1203);
        let needs = [
            "civil_status",
            "pension",
            "health",
            "education",
            "employment",
            "survivor-pension-france",
        ];
        let mut visit = tx.prepare("INSERT INTO register (day, channel, service, sex, profile, age_band, nationality, douar, need, outcome, recorded_by, recorded_at) VALUES (?1, 'walk_in', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '')").expect("register");
        for _ in 0..VISITS {
            let v = sample.visit(&DOUARS, &needs);
            visit
                .execute(params![
                    sample.day(date(2026, 1, 1), 365).to_string(),
                    sample.pick(&["A", "B", "C", "D"]),
                    v.sex.as_str(),
                    v.profile.code(),
                    v.age_band.code(),
                    v.nationality.code(),
                    v.douar,
                    v.need,
                    v.outcome.code(),
                    sample.pick(&["amina", "youssef", "fatima"]),
                ])
                .expect("visit");
        }
        // The desk's visits of people with a dossier (a follow-up is kept by one).
        let mut desk_visit = tx.prepare("INSERT INTO visits (person_id, ticket_id, day, officer) VALUES (?1, ?2, ?3, 'amina')").expect("visits");
        for i in 0..DESK_VISITS {
            desk_visit
                .execute(params![
                    (sample.below(PEOPLE) + 1) as i64,
                    i as i64,
                    sample.day(date(2026, 1, 1), 365).to_string()
                ])
                .expect("desk visit");
        }
        let mut household = tx.prepare("INSERT INTO census_households (douar, size, abroad, internal, returnees, foreigners, source, noted_on, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'bench', '')").expect("households");
        for _ in 0..HOUSEHOLDS {
            let h = sample.household(&DOUARS, date(2026, 1, 1), 365);
            household
                .execute(params![
                    h.douar,
                    h.size,
                    h.abroad,
                    h.internal,
                    h.returnees,
                    h.foreigners,
                    h.source.code(),
                    h.noted_on.to_string()
                ])
                .expect("household");
        }
        drop((person, case, referral, visit, desk_visit, household));
        tx.commit().expect("commit");
    }
    let queue_db = dir.path().join("queue.db");
    let mut queue = baom::store::open_writer(&queue_db).expect("queue.db");
    {
        let tx = queue.transaction().expect("tx");
        let mut ticket = tx.prepare("INSERT INTO tickets (day, letter, seq, service, priority, language, token, issued_at, state, desk, calls, called_at, started_at, finished_at) VALUES (?1, ?2, ?3, ?2, 0, 'fr', ?4, ?5, ?6, ?7, 1, ?8, ?8, ?9)").expect("tickets");
        let per_day = TICKETS / 365 + 1;
        for i in 0..TICKETS {
            let day = date(2026, 1, 1)
                .checked_add(jiff::Span::new().days((i / per_day) as i64))
                .expect("day");
            let letter = ["A", "B", "C", "D"][(i % 4) as usize];
            // 2026-01-01T00:00:00Z, then 09:00 on the ticket's day and a minute per ticket.
            let issued = 1_767_225_600
                + (i / per_day) as i64 * 86_400
                + 9 * 3600
                + ((i % per_day) * 60) as i64;
            let called = issued + (rng.draw() % 3600) as i64;
            let finished = called + (rng.draw() % 1200) as i64;
            let stamp = |s: i64| jiff::Timestamp::from_second(s).expect("time");
            let (issued, called, finished) = (stamp(issued), stamp(called), stamp(finished));
            ticket
                .execute(params![
                    day.to_string(),
                    letter,
                    (i % per_day / 4 + 1) as i64,
                    format!("token{i}"),
                    issued.to_string(),
                    rng.pick(&["served", "served", "served", "no_show"]),
                    (1 + i % 3) as i64,
                    called.to_string(),
                    finished.to_string()
                ])
                .expect("ticket");
        }
        drop(ticket);
        tx.commit().expect("commit");
    }
    if let Ok(kib) = std::env::var("BAOM_BENCH_CACHE_KIB") {
        db.conn
            .execute_batch(&format!("PRAGMA cache_size = -{kib}"))
            .expect("cache");
    }
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    // The months that are over are tallied, as the service does when it starts.
    let today = date(2026, 12, 31);
    let tz = jiff::tz::TimeZone::get("Africa/Casablanca").expect("tz");
    let kept = Instant::now();
    let months = baom::figures::ticket_months::keep(&mut queue, today, &tz).expect("months");
    println!(
        "{months} months of tickets tallied in {:.0} ms (once, as the service does when it starts)",
        kept.elapsed().as_secs_f64() * 1e3
    );
    let mut reader = baom::store::open_reader(&queue_db).expect("reader");

    // A year's figures: read the year's rows from both databases, then compute.
    let period = Period::parse("2026", today).expect("period");
    let mut times = Vec::new();
    let mut visits_counted = 0;
    for _ in 0..20 {
        // As the service does: the two databases read at once, on two threads.
        let t = Instant::now();
        let ((dossier_facts, households, t1), (queue_facts, t2)) = std::thread::scope(|scope| {
            // A connection moves to a thread; it is not shared.
            let reader = &mut reader;
            let tz = &tz;
            let queue = scope.spawn(move || {
                let facts = baom::figures::ticket_months::queue_facts(reader, &period, tz)
                    .expect("queue facts");
                (facts, t.elapsed())
            });
            let facts = register::facts(&mut db, "bench", &period).expect("facts");
            let households = census::households(&mut db, "bench").expect("households");
            let dossiers = (facts, households, t.elapsed());
            (dossiers, queue.join().expect("queue thread"))
        });
        let read = t.elapsed();
        if std::env::var("BAOM_BENCH_PARTS").is_ok() {
            eprintln!("dossier facts {t1:?}, queue facts {t2:?} (at once)");
        }
        let facts = Facts {
            visits: dossier_facts.visits,
            visit_counts: dossier_facts.visit_counts,
            cases: dossier_facts.cases,
            referrals: dossier_facts.referrals,
            tickets: queue_facts.tickets,
            ticket_months: queue_facts.months,
            votes: queue_facts.votes,
            targets: [("A".to_owned(), 30)].into(),
            services: vec!["A".into(), "B".into(), "C".into(), "D".into()],
            douars: DOUARS.iter().map(|d| d.to_string()).collect(),
            households,
            douar_households: DOUARS.iter().map(|d| (d.to_string(), 500)).collect(),
            projects: queue_facts.projects,
            activities: queue_facts.activities,
            ..Facts::default()
        };
        let f = baom_domain::figures::compute(period, Scope::Office, &facts);
        visits_counted = f.headline.visits.value().unwrap_or(0);
        if std::env::var("BAOM_BENCH_PARTS").is_ok() {
            eprintln!("compute {:?}", t.elapsed() - read);
        }
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "year's figures ({visits_counted} visits, {CASES} cases, {TICKETS} tickets): median {:.1} ms, p95 {:.1} ms (target ≤ 100 ms)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3
    );

    // The case list, three filters at a time, page 1 (names read for its 50 rows).
    let filters = [
        [
            ("status", "open"),
            ("profile", "foreigner"),
            ("sex", "female"),
        ],
        [("status", "all"), ("body", "cnss"), ("douar", "Tinfat")],
        [("status", "open"), ("officer", "amina"), ("overdue", "1")],
        [
            ("status", "closed"),
            ("procedure", "health-cover"),
            ("sex", "male"),
        ],
    ];
    let procedures: Vec<String> = [
        "child-birth-registration",
        "survivor-pension-france",
        "health-cover",
    ]
    .map(String::from)
    .to_vec();
    let douars: Vec<String> = DOUARS.iter().map(|d| d.to_string()).collect();
    let mut times = Vec::new();
    let mut shown = 0;
    for i in 0..200 {
        let q: HashMap<String, String> = filters[i % filters.len()]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let f = CaseFilter::parse(&q, &procedures, &douars).expect("filter");
        let t = Instant::now();
        let listing = case_list::list(&mut db, "amina", &f, today).expect("list");
        times.push(t.elapsed());
        shown += listing.rows.len();
    }
    if std::env::var("BAOM_BENCH_PARTS").is_ok() {
        for q in [
            vec![("status", "all")],
            vec![
                ("status", "open"),
                ("profile", "foreigner"),
                ("sex", "female"),
            ],
            vec![("status", "all"), ("body", "cnss"), ("douar", "Tinfat")],
            vec![("status", "open"), ("officer", "amina"), ("overdue", "1")],
        ] {
            let q: HashMap<String, String> = q
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let f = CaseFilter::parse(&q, &procedures, &douars).expect("filter");
            let t = Instant::now();
            for _ in 0..20 {
                case_list::list(&mut db, "amina", &f, today).expect("list");
            }
            eprintln!("{q:?}: {:?} each", t.elapsed() / 20);
        }
    }
    times.sort();
    println!(
        "case list, three filters over {CASES} cases ({} rows shown per page on average): median {:.2} ms, p95 {:.2} ms (target p95 ≤ 20 ms)",
        shown / 200,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3
    );
}
