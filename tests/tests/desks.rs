//! Sixteen desks calling at once against the real binary: each ticket is called exactly once.

use baom_e2e::{Baom, office_config, post};
use serde_json::json;
use std::collections::HashMap;

const DESKS: u16 = 16;
const TICKETS: usize = 400;

#[test]
fn sixteen_desks_calling_at_once_never_get_the_same_ticket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = dir.path().join("office.toml");
    let always = r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#;
    std::fs::write(&config, office_config(&data, "127.0.0.1:0", DESKS, always)).expect("config");
    let baom = Baom::serve(&config, &data);
    let kiosk = baom.kiosk();
    for i in 0..TICKETS {
        let service = ["A", "B", "C", "D"][i % 4];
        let r = post(
            &kiosk,
            "/v1/tickets",
            &json!({"service": service, "priority": i % 5 == 0}),
        )
        .expect("issue");
        assert_eq!(r.status, 201);
    }

    let officer = baom.officer();
    let desks: Vec<_> = (1..=DESKS)
        .map(|desk| {
            let api = officer.clone();
            std::thread::spawn(move || {
                let mut called = Vec::new();
                loop {
                    let r = post(&api, &format!("/api/v1/desks/{desk}/call-next"), &json!({}))
                        .expect("call-next");
                    if r.status == 409 && r.code() == "no_waiting_ticket" {
                        return called;
                    }
                    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
                    let t = r.json();
                    assert_eq!(t["desk"].as_u64(), Some(desk as u64));
                    let id = t["id"].as_u64().expect("id");
                    called.push(id);
                    let f = post(
                        &api,
                        &format!("/api/v1/tickets/{id}/finish"),
                        &json!({"desk": desk}),
                    )
                    .expect("finish");
                    assert_eq!(f.status, 200);
                }
            })
        })
        .collect();
    let mut times_called: HashMap<u64, usize> = HashMap::new();
    let mut busy_desks = 0;
    for d in desks {
        let called = d.join().expect("desk thread");
        busy_desks += usize::from(!called.is_empty());
        for id in called {
            *times_called.entry(id).or_default() += 1;
        }
    }
    assert_eq!(times_called.len(), TICKETS, "every ticket was called");
    assert!(
        times_called.values().all(|&n| n == 1),
        "a ticket was called twice"
    );
    assert!(busy_desks > 1, "the desks did call concurrently");

    drop(baom);
    let conn = rusqlite::Connection::open(data.join("queue.db")).expect("open");
    let (calls, served): (i64, i64) = conn
        .query_row("SELECT (SELECT COUNT(*) FROM ticket_events WHERE kind = 'called'), (SELECT COUNT(*) FROM tickets WHERE state = 'served')", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("counts");
    assert_eq!((calls, served), (TICKETS as i64, TICKETS as i64));
}
