//! Queue benchmarks against the real `baom` binary (run: `cargo bench -p baom --bench queue`).
//!
//! Prints, in one run on the same disk:
//! - the cost of a bare rusqlite insert + commit with `synchronous=FULL` (the fsync floor);
//! - ticket issue through the kiosk socket and through the LAN API, one client and 16 clients,
//!   as a ratio to that floor (target ≤ 2×);
//! - call-next latency p50/p99 with 16 desks calling at once over kept HTTPS connections, each
//!   desk with a work profile (services listed B first, and a rule: A once its oldest has
//!   waited a minute) (target p99 ≤ 5 ms);
//! - resident memory of `baom` idle and after the load (target ≤ 30 MB idle).
//!
//! A bench binary rather than criterion: each figure needs a running service and a real disk,
//! and the figures worth recording are ratios and percentiles measured side by side.

use baom_e2e::{Baom, Endpoint, office_config, post};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const SEQUENTIAL: usize = 400;
const CONCURRENT_CLIENTS: usize = 16;
const PER_CLIENT: usize = 60;
const DESKS: u16 = 16;

fn main() {
    let dir = tempfile::tempdir_in(
        std::env::var("BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
    )
    .expect("tempdir");
    let floor = bare_insert_commit(&dir.path().join("bare.db"), SEQUENTIAL);
    println!(
        "bare rusqlite insert+commit (WAL, synchronous=FULL): {:.3} ms/ticket",
        ms(floor)
    );

    let data = dir.path().join("data");
    let config = dir.path().join("office.toml");
    let always = r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#;
    // Every desk follows a work profile and a rule, so call-next decides by them.
    let office = office_config(&data, "127.0.0.1:0", DESKS, always).replace(
        "services = [\"A\", \"B\", \"C\", \"D\"]",
        "services = [\"B\", \"A\", \"C\", \"D\"]\norder = \"listed\"\nrules = [{ service = \"A\", waited_minutes = 1 }]",
    );
    assert!(
        office.contains("order = \"listed\""),
        "the desks' profile is in the settings"
    );
    std::fs::write(&config, office).expect("config");
    let baom = Baom::spawn_with(
        Path::new(env!("CARGO_BIN_EXE_baom")),
        &[
            "serve",
            "--config",
            config.to_str().expect("utf-8"),
            "--recovery-key-out",
            dir.path().join("recovery-key").to_str().expect("utf-8"),
        ],
        &data,
    );
    std::thread::sleep(Duration::from_millis(300));
    let (idle_rss, _) = baom.memory_kb();
    println!(
        "baom resident memory, idle: {:.1} MB",
        idle_rss as f64 / 1024.0
    );

    let officer = baom.officer();
    for (name, endpoint) in [
        ("kiosk socket", baom.kiosk()),
        ("LAN API (HTTPS)", officer.clone()),
    ] {
        let one = issue_sequential(&endpoint, SEQUENTIAL);
        println!(
            "issue via {name}, 1 client: {:.3} ms/ticket = {:.2}x the bare insert",
            ms(one),
            one.as_secs_f64() / floor.as_secs_f64()
        );
        let many = issue_concurrent(&endpoint, CONCURRENT_CLIENTS, PER_CLIENT);
        println!(
            "issue via {name}, {CONCURRENT_CLIENTS} clients: {:.3} ms/ticket of throughput ({:.0} tickets/s) = {:.2}x the bare insert",
            ms(many),
            1.0 / many.as_secs_f64(),
            many.as_secs_f64() / floor.as_secs_f64()
        );
    }

    // Where the time goes: the same requests refused before the queue (an unreadable desk: TLS,
    // HTTP, the session, the handler, no writer), under the same 16 kept connections; then one
    // desk calling alone, the writer's path without the others' turns.
    report(
        &format!("LAN floor: a refused call-next, {DESKS} desks at once"),
        refused_with_desks(&officer, DESKS, 170),
    );
    report(
        &format!("call-next with rules, {DESKS} desks at once"),
        call_next_with_desks(&officer, DESKS),
    );
    issue_sequential(&officer, 400);
    report(
        "call-next with rules, one desk alone",
        call_next_with_desks(&officer, 1),
    );
    let (rss, peak) = baom.memory_kb();
    println!(
        "baom resident memory after the load: {:.1} MB (peak {:.1} MB)",
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
}

fn report(what: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{what} ({} calls): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*latencies.last().expect("calls"))
    );
}

/// `calls` requests per desk that the LAN refuses before the queue, over kept connections.
fn refused_with_desks(api: &Endpoint, desks: u16, calls: usize) -> Vec<Duration> {
    let Endpoint::Lan(lan) = api else {
        panic!("desks call over the LAN")
    };
    let threads: Vec<_> = (1..=desks)
        .map(|_| {
            let lan = lan.clone();
            std::thread::spawn(move || {
                let mut conn = lan.keep_alive().expect("connect");
                (0..calls)
                    .map(|_| {
                        let start = Instant::now();
                        let r = conn
                            .post("/api/v1/desks/none/call-next", &json!({}))
                            .expect("call-next");
                        assert_eq!(r.status, 404, "refused before the queue: no such desk");
                        start.elapsed()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().expect("desk"))
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The floor: what one durable insert costs with nothing around it.
fn bare_insert_commit(path: &Path, n: usize) -> Duration {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE t (id INTEGER PRIMARY KEY, day TEXT, letter TEXT, seq INTEGER, token TEXT UNIQUE, issued_at TEXT, state TEXT);",
    )
    .expect("schema");
    let start = Instant::now();
    for i in 0..n {
        let tx = conn.unchecked_transaction().expect("begin");
        tx.execute("INSERT INTO t (day, letter, seq, token, issued_at, state) VALUES ('2026-11-24', 'A', ?1, ?2, '2026-11-24T10:00:00Z', 'waiting')", rusqlite::params![i as i64, format!("{i:032x}")])
            .expect("insert");
        tx.commit().expect("commit");
    }
    start.elapsed() / n as u32
}

fn issue(endpoint: &Endpoint, i: usize) {
    let path = match endpoint {
        Endpoint::Unix(_) => "/v1/tickets",
        Endpoint::Lan(_) => "/api/v1/tickets",
    };
    let service = ["A", "B", "C", "D"][i % 4];
    let r = post(endpoint, path, &json!({ "service": service })).expect("issue");
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

fn issue_sequential(endpoint: &Endpoint, n: usize) -> Duration {
    let start = Instant::now();
    for i in 0..n {
        issue(endpoint, i);
    }
    start.elapsed() / n as u32
}

fn issue_concurrent(endpoint: &Endpoint, clients: usize, per_client: usize) -> Duration {
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let endpoint = endpoint.clone();
            std::thread::spawn(move || (0..per_client).for_each(|i| issue(&endpoint, c + i)))
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().expect("client"));
    start.elapsed() / (clients * per_client) as u32
}

/// Every desk calls next and finishes in a loop until the queue is empty, each on one kept
/// connection (as a browser at a desk); returns each call's latency.
fn call_next_with_desks(api: &Endpoint, desks: u16) -> Vec<Duration> {
    let Endpoint::Lan(lan) = api else {
        panic!("desks call over the LAN")
    };
    let threads: Vec<_> = (1..=desks)
        .map(|desk| {
            let lan = lan.clone();
            std::thread::spawn(move || {
                let mut conn = lan.keep_alive().expect("connect");
                let mut latencies = Vec::new();
                loop {
                    let start = Instant::now();
                    let r = conn
                        .post(&format!("/api/v1/desks/{desk}/call-next"), &json!({}))
                        .expect("call-next");
                    if r.status != 200 {
                        return latencies;
                    }
                    latencies.push(start.elapsed());
                    let id = r.json()["id"].as_u64().expect("id");
                    conn.post(
                        &format!("/api/v1/tickets/{id}/finish"),
                        &json!({ "desk": desk }),
                    )
                    .expect("finish");
                }
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().expect("desk"))
        .collect()
}
