//! The service under systemd's notify protocol, as `baom.service` runs it (`Type=notify`,
//! `WatchdogSec=`): `READY=1` once it listens, then `WATCHDOG=1` at half of `WATCHDOG_USEC`, but
//! only while the queue's writer thread answers. A writer stuck on the database lock stops the
//! pings (so systemd would kill and restart the service), and they resume once it is free.
//! The test plays systemd: it binds the notify socket and reads the datagrams.

use baom_e2e::{Baom, baom_bin, path_str, post};
use serde_json::json;
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

/// Every datagram received during `window`.
fn listen(socket: &UnixDatagram, window: Duration) -> Vec<String> {
    let end = Instant::now() + window;
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while Instant::now() < end {
        if let Ok(n) = socket.recv(&mut buf) {
            got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    got
}

fn pings(messages: &[String]) -> usize {
    messages
        .iter()
        .filter(|m| m.lines().any(|l| l == "WATCHDOG=1"))
        .count()
}

#[test]
fn ready_then_watchdog_pings_only_while_the_writer_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let notify_path = dir.path().join("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).expect("bind the notify socket");
    notify
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("timeout");
    let data = dir.path().join("data");
    // A 400 ms watchdog: the service pings every 200 ms.
    let baom = Baom::spawn_with_env(
        &baom_bin(),
        &["demo", "--data", path_str(&data), "--listen", "127.0.0.1:0"],
        &data,
        &[
            ("NOTIFY_SOCKET", path_str(&notify_path)),
            ("WATCHDOG_USEC", "400000"),
        ],
    );

    let running = listen(&notify, Duration::from_millis(1200));
    assert!(
        running
            .first()
            .is_some_and(|m| m.lines().any(|l| l == "READY=1")),
        "READY=1 first: {running:?}"
    );
    assert!(pings(&running) >= 3, "pings every 200 ms: {running:?}");

    // Another process holds queue.db's write lock: the writer waits on it (up to its 5 s busy
    // timeout) with the kiosk's ticket in hand, and answers no ping meanwhile.
    let mut db = rusqlite::Connection::open(data.join("queue.db")).expect("open queue.db");
    let lock = db
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .expect("take the write lock");
    let kiosk = baom.kiosk();
    let issuing = std::thread::spawn(move || {
        post(
            &kiosk,
            "/v1/tickets",
            &json!({"service": "A", "priority": false, "language": "fr"}),
        )
    });
    std::thread::sleep(Duration::from_millis(300));
    let stuck = listen(&notify, Duration::from_millis(2000));
    assert_eq!(
        pings(&stuck),
        0,
        "no ping while the writer is stuck: {stuck:?}"
    );

    lock.rollback().expect("release the lock");
    let issued = issuing.join().expect("issuing thread").expect("issue");
    assert_eq!(
        issued.status,
        201,
        "the ticket waited, then was issued: {}",
        String::from_utf8_lossy(&issued.body)
    );
    let again = listen(&notify, Duration::from_millis(1200));
    assert!(pings(&again) >= 3, "pings resume: {again:?}");
}
