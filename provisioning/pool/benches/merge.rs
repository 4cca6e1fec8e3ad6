//! Merging 100 communes' yearly files (target ≤ 1 s): each commune's year drawn by the
//! figures' generator (`figures::sample`: 2,000 visits, 300 cases, 200 referrals, 150
//! households, 3,000 tickets), computed and signed as its box does; then the real `baom-pool`
//! imports the hundred files (each checked whole) and merges them into province and region
//! tables (CSV and XLSX). Prints each step's time over 5 runs.
//! `cargo bench -p baom-pool --bench merge`.

use baom_domain::figures::compute::{CaseFacts, Facts, ReferralFacts, TicketFacts, VisitFacts};
use baom_domain::figures::register::Channel;
use baom_domain::figures::sample::Sample;
use baom_domain::figures::{Period, Scope, compute};
use baom_pooling::format::Header;
use jiff::civil::date;
use std::process::Command;
use std::time::{Duration, Instant};

const COMMUNES: usize = 100;
const DOUARS: [&str; 6] = ["Tinfat", "Assaisse", "Ait Ali", "Tizgui", "Ifri", "Tagmout"];

fn year_of(seed: u64) -> Facts {
    let mut g = Sample::new(seed);
    let needs = [
        "pension",
        "health",
        "civil_status",
        "survivor-pension-france",
    ];
    let visits = (0..2_000)
        .map(|_| {
            let v = g.visit(&DOUARS, &needs);
            VisitFacts {
                entry: v.entry(g.day(date(2026, 1, 1), 365), Channel::WalkIn),
                service: Some(g.pick(&["A", "B", "C"]).to_owned()),
                recorded_by: "amina".into(),
            }
        })
        .collect();
    let cases = (0..300)
        .map(|i| {
            let opened = g.day(date(2026, 1, 1), 300);
            CaseFacts {
                person: i,
                sex: if g.chance(50) {
                    baom_domain::dossier::Sex::Female
                } else {
                    baom_domain::dossier::Sex::Male
                },
                profile: g.pick(&baom_domain::dossier::Profile::ALL),
                procedure: Some(g.pick(&needs).to_owned()),
                opened_on: opened,
                closed_on: g
                    .chance(40)
                    .then(|| opened.checked_add(jiff::Span::new().days(20)).expect("day")),
                follow_up_on: None,
                opened_by: "amina".into(),
                visit_days: vec![],
            }
        })
        .collect();
    let referrals = (0..200)
        .map(|_| ReferralFacts {
            body: g.pick(&baom_domain::dossier::Body::ALL),
            state: g.pick(&baom_domain::dossier::ReferralState::ALL),
            sent_on: g.day(date(2026, 1, 1), 365),
            sent_by: "amina".into(),
        })
        .collect();
    let tickets = (0..3_000)
        .map(|_| {
            let t = g.ticket(8 * 3600);
            TicketFacts {
                day: g.day(date(2026, 1, 1), 365),
                service: g.pick(&["A", "B", "C"]).to_owned(),
                desk: Some(1),
                state: if t.no_show { "no_show" } else { "served" }.into(),
                hour: 9,
                wait_seconds: Some(t.wait),
                service_seconds: Some(t.service),
                called_at: None,
                finished_at: None,
            }
        })
        .collect();
    Facts {
        visits,
        cases,
        referrals,
        tickets,
        services: vec!["A".into(), "B".into(), "C".into()],
        douars: DOUARS.iter().map(|d| d.to_string()).collect(),
        douar_households: DOUARS.iter().map(|d| (d.to_string(), 400)).collect(),
        households: (0..150)
            .map(|_| g.household(&DOUARS, date(2026, 1, 1), 365))
            .collect(),
        ..Facts::default()
    }
}

fn main() {
    let work = tempfile::tempdir().expect("dir");
    let registry = work.path().join("registry.toml");
    let files_dir = work.path().join("files");
    std::fs::create_dir_all(&files_dir).expect("dir");
    let bin = env!("CARGO_BIN_EXE_baom-pool");
    let started = Instant::now();
    let today = date(2027, 1, 10);
    let period = Period::parse("2026", today).expect("period");
    let mut files = Vec::new();
    let mut reg = String::new();
    let mut bytes = 0;
    for i in 0..COMMUNES {
        let key = ed25519_dalek::SigningKey::from_bytes(&[i as u8 + 1; 32]);
        let code = format!("C{i:03}");
        let figures = compute(period, Scope::Office, &year_of(i as u64 + 1));
        let batch = baom_pooling::Batch::from_figures(
            &figures,
            &Header {
                batch: &format!("{code}-2026-1"),
                replaces: None,
                org_unit: &code,
                commune: &code,
                made_at: "2027-01-10T09:00:00Z",
            },
        );
        let file = baom_pooling::sign(&batch, &key);
        bytes += file.len();
        let path = files_dir.join(format!("{code}.json"));
        std::fs::write(&path, file).expect("file");
        files.push(path);
        reg.push_str(&format!(
            "[[commune]]\ncode = \"{code}\"\nname = \"{code}\"\nprovince = \"P{}\"\nregion = \"R{}\"\npublic_key = \"{}\"\n\n",
            i / 10,
            i / 50,
            baom_pooling::file::public_key(&key)
        ));
    }
    std::fs::write(&registry, reg).expect("registry");
    println!(
        "{COMMUNES} communes' yearly files made in {:.1} s ({} KB each on average)",
        started.elapsed().as_secs_f64(),
        bytes / COMMUNES / 1024
    );
    let time = |args: &[&str]| -> Duration {
        let t = Instant::now();
        let out = Command::new(bin).args(args).output().expect("baom-pool");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t.elapsed()
    };
    let (mut imports, mut merges) = (Vec::new(), Vec::new());
    for run in 0..5 {
        let store = work.path().join(format!("store{run}"));
        let out = work.path().join(format!("out{run}"));
        let mut args = vec![
            "import",
            "--registry",
            registry.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
        ];
        args.extend(files.iter().map(|f| f.to_str().unwrap()));
        imports.push(time(&args));
        merges.push(time(&[
            "merge",
            "--registry",
            registry.to_str().unwrap(),
            "--store",
            store.to_str().unwrap(),
            "--period",
            "2026",
            "--out",
            out.to_str().unwrap(),
        ]));
    }
    imports.sort();
    merges.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "import of {COMMUNES} files (each checked whole), 5 runs: median {:.0} ms, max {:.0} ms",
        ms(imports[2]),
        ms(imports[4])
    );
    println!(
        "merge of {COMMUNES} communes into 10 provinces and 2 regions (CSV + XLSX), 5 runs: median {:.0} ms, max {:.0} ms (target ≤ 1 s)",
        ms(merges[2]),
        ms(merges[4])
    );
}
