//! Pushing a year's batch to the province's PostgreSQL server over loopback (target ≤ 2 s): a
//! real server (Debian's PostgreSQL, a cluster made for the bench, TLS on), the box's own client
//! (`baom_pooling::client`: TLS checked against the province's authority, the schema, then the
//! batch in one transaction), a year of a large commune's figures (eight douars, the needs and
//! procedures, every pooled figure). Each run pushes a correction of the previous batch, so the
//! server replaces every value, as a correction does. `cargo bench -p baom --bench pool_push`.

use baom_domain::figures::compute::{Facts, VisitFacts};
use baom_domain::figures::register::Channel;
use baom_domain::figures::sample::Sample;
use baom_domain::figures::{Period, Scope, compute};
use baom_e2e::postgres::Postgres;
use baom_pooling::format::Header;
use jiff::civil::date;
use std::time::{Duration, Instant};

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

fn main() {
    let work = tempfile::tempdir().expect("dir");
    let pg = Postgres::start(&work.path().join("pg"));
    let mut g = Sample::new(0x5eed_9001);
    let needs = [
        "civil_status",
        "pension",
        "health",
        "education",
        "employment",
        "residence",
        "child-birth-registration",
        "survivor-pension-france",
        "health-cover",
    ];
    let visits: Vec<VisitFacts> = (0..20_000)
        .map(|_| {
            let v = g.visit(&DOUARS, &needs);
            VisitFacts {
                entry: v.entry(g.day(date(2026, 1, 1), 365), Channel::WalkIn),
                service: None,
                recorded_by: "amina".into(),
            }
        })
        .collect();
    let facts = Facts {
        visits,
        douars: DOUARS.iter().map(|d| d.to_string()).collect(),
        douar_households: DOUARS.iter().map(|d| (d.to_string(), 500)).collect(),
        households: (0..500)
            .map(|_| g.household(&DOUARS, date(2026, 1, 1), 365))
            .collect(),
        ..Facts::default()
    };
    let figures = compute(
        Period::parse("2026", date(2027, 1, 5)).expect("period"),
        Scope::Office,
        &facts,
    );
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // The province's schema, made once (`baom-pool init` does the same).
    runtime.block_on(async {
        let client =
            baom_pooling::client::connect(&pg.server(), Some(&pg.password_file), Some(&pg.ca))
                .await
                .expect("connect");
        baom_pooling::client::init(&client).await.expect("schema");
    });
    let mut times: Vec<Duration> = Vec::new();
    let mut previous: Option<String> = None;
    let mut rows = 0;
    for run in 0..11 {
        let id = format!("TALIOUINE-2026-{run}");
        let batch = baom_pooling::Batch::from_figures(
            &figures,
            &Header {
                batch: &id,
                replaces: previous.as_deref(),
                org_unit: "TALIOUINE",
                commune: "Taliouine",
                made_at: "2027-01-05T09:00:00Z",
            },
        );
        rows = batch.row_count;
        let signed = baom_pooling::open(&baom_pooling::sign(&batch, &key)).expect("signed");
        let t = Instant::now();
        runtime.block_on(async {
            let mut client =
                baom_pooling::client::connect(&pg.server(), Some(&pg.password_file), Some(&pg.ca))
                    .await
                    .expect("connect");
            match baom_pooling::client::load(&mut client, &signed).await {
                Ok(_) => {}
                Err(
                    baom_pooling::client::Load::Refused(e) | baom_pooling::client::Load::Link(e),
                ) => {
                    panic!("push: {e}")
                }
            }
        });
        // The first run warms the server's caches: left out.
        if run > 0 {
            times.push(t.elapsed());
        }
        previous = Some(id);
    }
    assert_eq!(
        pg.query("SELECT count(*) FROM baom_values"),
        rows.to_string()
    );
    times.sort();
    println!(
        "push of a year's batch ({rows} values) over loopback TLS, connection and transaction included, 10 runs: median {:.0} ms, max {:.0} ms (target ≤ 2 s)",
        times[5].as_secs_f64() * 1e3,
        times[9].as_secs_f64() * 1e3
    );
}
