//! A power cut in the middle of a rush: 1000 tickets from concurrent kiosks while the service is
//! killed with SIGKILL and started again. Every number a client was told must be on disk, no
//! number may be given twice, and the database must be intact.

use baom_e2e::{Baom, Endpoint, post};
use serde_json::json;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TICKETS: usize = 1000;
const CLIENTS: usize = 8;

#[test]
fn tickets_told_before_a_kill_9_survive_it_and_numbers_are_never_reused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let socket = Endpoint::Unix(baom.socket.clone());
    let told: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let refused = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (socket, told, refused, done) =
                (socket.clone(), told.clone(), refused.clone(), done.clone());
            std::thread::spawn(move || {
                let mut i = c;
                while !done.load(Ordering::SeqCst) {
                    let service = ["A", "B", "C", "D"][i % 4];
                    i += 1;
                    match post(
                        &socket,
                        "/v1/tickets",
                        &json!({"service": service, "priority": i % 7 == 0, "language": "fr"}),
                    ) {
                        Ok(r) if r.status == 201 => {
                            let t = r.json();
                            let mut told = told.lock().expect("lock");
                            told.push((
                                t["number"].as_str().expect("number").into(),
                                t["token"].as_str().expect("token").into(),
                            ));
                            if told.len() >= TICKETS {
                                done.store(true, Ordering::SeqCst);
                            }
                        }
                        // The service is down or stopping: a kiosk says "one moment" and retries.
                        _ => {
                            refused.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            })
        })
        .collect();

    // Kill in the middle of the rush, then start again on the same directory.
    let deadline = Instant::now() + Duration::from_secs(120);
    while told.lock().expect("lock").len() < TICKETS / 2 {
        assert!(Instant::now() < deadline, "the rush did not reach half way");
        std::thread::sleep(Duration::from_millis(2));
    }
    let before_kill = told.lock().expect("lock").len();
    baom.kill_hard();
    std::thread::sleep(Duration::from_millis(300));
    let baom = Baom::demo(dir.path());
    for c in clients {
        c.join().expect("client thread");
    }
    let told = told.lock().expect("lock").clone();
    assert!(
        told.len() >= TICKETS && before_kill < TICKETS,
        "the kill did not fall in the middle"
    );
    assert!(
        refused.load(Ordering::Relaxed) > 0,
        "no client saw the service down: the kill came too late"
    );
    let status = baom.stop();
    assert!(status.success(), "clean stop after restart: {status}");

    let conn = rusqlite::Connection::open(dir.path().join("queue.db")).expect("open queue.db");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
    let numbers: HashSet<&str> = told.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(numbers.len(), told.len(), "a number was given twice");
    let mut stmt = conn
        .prepare("SELECT letter || '-' || printf('%03d', seq) FROM tickets WHERE token = ?1")
        .expect("prepare");
    for (number, token) in &told {
        let stored: String = stmt
            .query_row([token], |r| r.get(0))
            .unwrap_or_else(|e| panic!("ticket {number} was told but is not on disk: {e}"));
        assert_eq!(&stored, number);
    }
    let on_disk: i64 = conn
        .query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
        .expect("count");
    // A ticket may be on disk that no client heard of (killed between commit and answer), never the reverse.
    assert!(on_disk as usize >= told.len());
    let dup: i64 = conn.query_row("SELECT COUNT(*) FROM (SELECT day, letter, seq FROM tickets GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)", [], |r| r.get(0)).expect("dups");
    assert_eq!(dup, 0);
    // Debian's sqlite3 reads the same file: queue.db is plain SQLite, no key needed.
    let out = std::process::Command::new("sqlite3")
        .arg(dir.path().join("queue.db"))
        .arg("SELECT COUNT(*) FROM tickets;")
        .output()
        .expect("sqlite3 is installed (.ci/setup)");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        on_disk.to_string()
    );
}
