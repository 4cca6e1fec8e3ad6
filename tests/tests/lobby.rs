//! The lobby's feed and voice without a browser: the event stream carries each call, and the
//! spoken call is a WAV made on the box, for numbers and desks only.

use baom_e2e::{Baom, Endpoint, get, post};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

#[test]
fn the_event_stream_carries_a_call_and_the_call_is_spoken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    post(&baom.kiosk(), "/v1/tickets", &json!({"service": "C"})).expect("issue");
    let officer = baom.api();
    let Endpoint::Lan(lan) = &officer else {
        unreachable!()
    };

    let stream = lan.open_stream("/events").expect("event stream");
    let mut lines = BufReader::new(stream).lines();
    let first = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("data:"))
        .expect("first board");
    let board: serde_json::Value =
        serde_json::from_str(first.trim_start_matches("data:").trim()).expect("json");
    assert_eq!(board["waiting"]["C"], 1);
    assert!(board["calls"].as_array().is_some_and(|c| c.is_empty()));

    let sent = Instant::now();
    assert_eq!(
        post(&officer, "/api/v1/desks/2/call-next", &json!({}))
            .expect("call")
            .status,
        200
    );
    let next = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("data:"))
        .expect("next board");
    let board: serde_json::Value =
        serde_json::from_str(next.trim_start_matches("data:").trim()).expect("json");
    assert!(sent.elapsed() < Duration::from_secs(1));
    assert_eq!(
        (
            board["calls"][0]["number"].as_str(),
            board["calls"][0]["desk"].as_u64()
        ),
        (Some("C-001"), Some(2))
    );
    assert!(
        !next.contains("amina"),
        "no account or name on the lobby feed"
    );

    for lang in ["ar", "fr"] {
        let r = get(
            &officer,
            &format!("/lobby/speech.wav?number=C-001&desk=2&lang={lang}"),
        )
        .expect("speech");
        assert_eq!(r.status, 200, "{lang}");
        assert_eq!(r.header("content-type").as_deref(), Some("audio/wav"));
        assert!(
            r.body.starts_with(b"RIFF") && r.body.len() > 10_000,
            "{lang}: a real WAV"
        );
    }
    for bad in [
        "number=C-1&desk=2&lang=fr",
        "number=C-001&desk=9&lang=fr",
        "number=C-001&desk=2&lang=xx",
        "number=C-001&desk=2",
    ] {
        assert_eq!(
            get(&officer, &format!("/lobby/speech.wav?{bad}"))
                .expect("answer")
                .status,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        get(&officer, "/lobby/speech.wav?number=C-001&desk=2&lang=zgh")
            .expect("answer")
            .status,
        503,
        "no Tamazight voice"
    );
}
