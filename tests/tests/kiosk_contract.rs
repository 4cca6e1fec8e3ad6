//! The kiosk API contract on `kiosk.sock`, against the real binary: what the kiosk and outside
//! tests rely on, and that nothing else answers on that socket.

use baom_e2e::{Baom, get, post, request};
use serde_json::json;
use std::process::Command;

#[test]
fn the_kiosk_issues_a_ticket_and_reads_it_back_by_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let kiosk = baom.kiosk();
    assert_eq!(baom.socket, dir.path().join("kiosk.sock"));

    let catalogue = get(&kiosk, "/v1/catalogue").expect("catalogue");
    assert_eq!(catalogue.status, 200);
    let catalogue = catalogue.json();
    let letters: Vec<&str> = catalogue["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| s["letter"].as_str().expect("letter"))
        .collect();
    assert_eq!(letters, ["A", "B", "C", "D"]);
    let first = &catalogue["services"][0];
    assert!(first["names"]["ar"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(
        first["names"]["zgh"]
            .as_str()
            .is_some_and(|n| n.chars().any(|c| ('\u{2D30}'..='\u{2D7F}').contains(&c))),
        "Tifinagh name"
    );
    assert!(first["documents"].as_array().is_some_and(|d| !d.is_empty()));

    let issued = post(
        &kiosk,
        "/v1/tickets",
        &json!({"service": "A", "priority": false, "language": "fr"}),
    )
    .expect("issue");
    assert_eq!(
        issued.status,
        201,
        "{}",
        String::from_utf8_lossy(&issued.body)
    );
    let t = issued.json();
    assert_eq!(t["number"], "A-001");
    assert_eq!(t["ahead"], 0);
    assert!(t["estimated_wait_s"].is_u64());
    let token = t["token"].as_str().expect("token").to_owned();
    // Signed tokens: 26 base32 characters, short enough for a version 2 QR code.
    assert_eq!(token.len(), 26, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    // The demo prints to a file: the receipt is printed before the answer.
    assert_eq!(t["receipt"], "printed");

    let second = post(
        &kiosk,
        "/v1/tickets",
        &json!({"service": "A", "priority": false, "language": "ar"}),
    )
    .expect("issue")
    .json();
    assert_eq!(
        (second["number"].as_str(), second["ahead"].as_u64()),
        (Some("A-002"), Some(1))
    );
    assert!(second["estimated_wait_s"].as_u64().is_some_and(|w| w > 0));

    let state = get(&kiosk, &format!("/v1/tickets/{token}")).expect("state");
    assert_eq!(state.status, 200);
    assert_eq!(state.json()["number"], "A-001");
    assert_eq!(state.json()["state"], "waiting");
    assert_eq!(state.json()["receipt"], "printed");
    let printer = get(&kiosk, "/v1/printer").expect("printer").json();
    assert_eq!(printer["state"], "ready");
    assert_eq!(printer["pending"], 0);
    assert!(
        state.json().get("token").is_none(),
        "a read never repeats the token"
    );

    // The desk calls it: the kiosk sees the desk.
    let called = post(&baom.api(), "/api/v1/desks/2/call-next", &json!({}))
        .expect("call")
        .json();
    assert_eq!(called["number"], "A-001");
    let state = get(&kiosk, &format!("/v1/tickets/{token}"))
        .expect("state")
        .json();
    assert_eq!(
        (state["state"].as_str(), state["desk"].as_u64()),
        (Some("called"), Some(2))
    );

    // Unsigned (the old format), malformed, forged or altered tokens are refused.
    let mut altered = token.clone().into_bytes();
    altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ascii");
    for bad in [
        "0123456789abcdef0123456789abcdef",
        "not-a-token",
        "..%2F..%2Fqueue.db",
        "AAAAAAAAAAAAAAAAAAAAAAAAAA",
        altered.as_str(),
    ] {
        let r = get(&kiosk, &format!("/v1/tickets/{bad}")).expect("answer");
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "invalid_token"),
            "{bad}"
        );
    }
}

#[test]
fn the_kiosk_socket_answers_nothing_outside_its_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let kiosk = baom.kiosk();
    post(&kiosk, "/v1/tickets", &json!({"service": "B"})).expect("issue");
    for (method, path) in [
        ("GET", "/api/v1/tickets"),
        ("GET", "/api/v1/desks"),
        ("POST", "/api/v1/desks/1/call-next"),
        ("GET", "/api/v1/tickets/1"),
        ("GET", "/v1/tickets"),
        ("GET", "/v1/desks"),
        ("GET", "/"),
        ("GET", "/queue.db"),
    ] {
        let r = request(&kiosk, method, path, Some(b"{}")).expect("answer");
        assert!(
            r.status == 404 || r.status == 405,
            "{method} {path} answered {}",
            r.status
        );
        assert!(["not_found", "method_not_allowed"].contains(&r.code().as_str()));
    }
    let r = request(&kiosk, "DELETE", "/v1/catalogue", None).expect("answer");
    assert_eq!((r.status, r.code().as_str()), (405, "method_not_allowed"));
    // And the desk's calls are still there to make: nothing changed through the socket.
    assert_eq!(
        post(&baom.api(), "/api/v1/desks/1/call-next", &json!({}))
            .expect("call")
            .status,
        200
    );
}

/// The same contract through curl, a client this project did not write.
#[test]
fn curl_speaks_the_kiosk_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let out = Command::new("curl")
        .args([
            "-sS",
            "--unix-socket",
            baom_e2e::path_str(&baom.socket),
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
        ])
        .args([
            "-d",
            r#"{"service": "C", "priority": true, "language": "zgh"}"#,
            "-w",
            "\n%{http_code}",
            "http://kiosk/v1/tickets",
        ])
        .output()
        .expect("curl is installed (.ci/setup)");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let (body, status) = text.rsplit_once('\n').expect("status line");
    assert_eq!(status, "201", "{text}");
    let t: serde_json::Value = serde_json::from_str(body).expect("json");
    assert_eq!(
        (
            t["number"].as_str(),
            t["priority"].as_bool(),
            t["language"].as_str()
        ),
        (Some("C-001"), Some(true), Some("zgh"))
    );
}
