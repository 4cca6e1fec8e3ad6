//! Live-update benchmark against the real `baom` binary (run: `cargo bench -p baom --bench lobby`).
//!
//! 16 desks call, serve briefly and finish, over and over, while 50 lobby screens hold the
//! `/events` stream open over HTTPS. Prints the call-to-lobby latency (from the moment a desk
//! sends call-next to the moment each screen's stream carries that number; target p99 ≤ 100 ms)
//! and the resident memory of `baom` under that load (target ≤ 40 MB).

use baom_e2e::{Baom, Endpoint, office_config, post};
use serde_json::json;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const DESKS: u16 = 16;
const SCREENS: usize = 50;
const TICKETS: usize = 640;
const SERVING: Duration = Duration::from_millis(20);

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = dir.path().join("office.toml");
    let always = r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#;
    std::fs::write(&config, office_config(&data, "127.0.0.1:0", DESKS, always)).expect("config");
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
    for i in 0..TICKETS {
        let service = ["A", "B", "C", "D"][i % 4];
        assert_eq!(
            post(&baom.kiosk(), "/v1/tickets", &json!({ "service": service }))
                .expect("issue")
                .status,
            201
        );
    }
    let officer = baom.officer();
    let Endpoint::Lan(lan) = &officer else {
        unreachable!()
    };

    // The screens: each reports every number it sees in a call, the first time it sees it.
    let (seen_tx, seen_rx) = mpsc::channel::<(usize, String, Instant)>();
    let mut ready = Vec::new();
    for screen in 0..SCREENS {
        let stream = lan.open_stream("/events").expect("event stream");
        let seen_tx = seen_tx.clone();
        let (ready_tx, ready_rx) = mpsc::channel();
        ready.push(ready_rx);
        std::thread::spawn(move || {
            let mut known = std::collections::HashSet::new();
            let mut first = true;
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let Some(data) = line.strip_prefix("data:") else {
                    continue;
                };
                let now = Instant::now();
                if first {
                    let _ = ready_tx.send(());
                    first = false;
                }
                let Ok(board) = serde_json::from_str::<serde_json::Value>(data.trim()) else {
                    continue;
                };
                for call in board["calls"].as_array().into_iter().flatten() {
                    let number = call["number"].as_str().unwrap_or_default().to_owned();
                    if known.insert(number.clone()) && seen_tx.send((screen, number, now)).is_err()
                    {
                        return;
                    }
                }
            }
        });
    }
    for r in ready {
        r.recv_timeout(Duration::from_secs(10))
            .expect("every screen connected");
    }
    drop(seen_tx);
    std::thread::sleep(Duration::from_millis(300));
    let (idle_rss, _) = baom.memory_kb();

    let started = Instant::now();
    let desks: Vec<_> = (1..=DESKS)
        .map(|desk| {
            let api = officer.clone();
            std::thread::spawn(move || {
                let mut sent = Vec::new();
                loop {
                    let at = Instant::now();
                    let r = post(&api, &format!("/api/v1/desks/{desk}/call-next"), &json!({}))
                        .expect("call-next");
                    if r.status != 200 {
                        return sent;
                    }
                    let t = r.json();
                    sent.push((t["number"].as_str().expect("number").to_owned(), at));
                    std::thread::sleep(SERVING);
                    let id = t["id"].as_u64().expect("id");
                    post(
                        &api,
                        &format!("/api/v1/tickets/{id}/finish"),
                        &json!({ "desk": desk }),
                    )
                    .expect("finish");
                }
            })
        })
        .collect();
    let mut sent_at: HashMap<String, Instant> = HashMap::new();
    for d in desks {
        sent_at.extend(d.join().expect("desk"));
    }
    let elapsed = started.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let (rss, peak) = baom.memory_kb();
    drop(baom);

    let mut latencies: Vec<Duration> = Vec::new();
    for (_screen, number, seen) in seen_rx.try_iter() {
        if let Some(at) = sent_at.get(&number) {
            latencies.push(seen.saturating_duration_since(*at));
        }
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} calls by {DESKS} desks in {:.1} s ({:.0} calls/s), {SCREENS} lobby screens connected",
        sent_at.len(),
        elapsed.as_secs_f64(),
        sent_at.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "call-to-lobby latency over {} (screen, call) pairs ({:.1}% of all pairs): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        100.0 * latencies.len() as f64 / (sent_at.len() * SCREENS) as f64,
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*latencies.last().expect("latencies"))
    );
    println!(
        "baom resident memory: {:.1} MB with {SCREENS} screens idle, {:.1} MB after the load (peak {:.1} MB)",
        idle_rss as f64 / 1024.0,
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
}
