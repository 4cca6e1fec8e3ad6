//! Every input a client can send wrong gets a clear JSON error with a stable code, and changes
//! nothing on disk. Run against the real binary with its real database.

use baom_e2e::{Baom, Endpoint, counts, office_config, post, request, request_with};
use serde_json::json;

/// Sends a request that must be refused with `status` and `code`, and checks that neither the
/// tickets nor their events moved.
fn refused(
    baom: &Baom,
    to: &Endpoint,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
    status: u16,
    code: &str,
) {
    let db = baom.data.join("queue.db");
    let before = counts(&db);
    let r = request(to, method, path, body).expect("an answer");
    assert_eq!(
        r.status,
        status,
        "{method} {path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.code(), code, "{method} {path}");
    assert!(r.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(counts(&db), before, "{method} {path} changed the database");
}

#[test]
fn bad_requests_are_refused_clearly_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Service D is never open (it opens on no hour of the day: from 00:00 to 00:01 on Sundays
    // is the closest valid thing, so pick a weekday window that excludes now).
    let closed = closed_hours_now();
    let config = dir.path().join("office.toml");
    std::fs::write(
        &config,
        office_config(&dir.path().join("data"), "127.0.0.1:0", 2, &closed),
    )
    .expect("config");
    let baom = Baom::serve(&config, &dir.path().join("data"));
    let (kiosk, api) = (baom.kiosk(), baom.officer());

    // Issuing.
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "Z"}"#),
        422,
        "unknown_service",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "abc"}"#),
        422,
        "unknown_service",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "D"}"#),
        409,
        "service_closed",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "A", "language": "xx"}"#),
        422,
        "unknown_language",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "A", "priority": "yes"}"#),
        422,
        "invalid_field",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "A", "name": "Fatima"}"#),
        422,
        "invalid_field",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"priority": true}"#),
        422,
        "invalid_field",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "A""#),
        400,
        "malformed_json",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(b"{\"service\": \"\xff\xfeA\"}"),
        400,
        "invalid_utf8",
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(b""),
        400,
        "malformed_json",
    );
    let huge = format!(
        r#"{{"service": "A", "language": "{}"}}"#,
        "x".repeat(64 * 1024)
    );
    refused(
        &baom,
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(huge.as_bytes()),
        413,
        "body_too_large",
    );
    refused(
        &baom,
        &api,
        "POST",
        "/api/v1/tickets",
        Some(huge.as_bytes()),
        413,
        "body_too_large",
    );
    let before = counts(&baom.data.join("queue.db"));
    let r = request_with(
        &kiosk,
        "POST",
        "/v1/tickets",
        Some(br#"{"service": "A"}"#),
        "text/plain",
    )
    .expect("answer");
    assert_eq!(
        (r.status, r.code().as_str()),
        (415, "unsupported_media_type")
    );
    assert_eq!(counts(&baom.data.join("queue.db")), before);

    // Calling.
    refused(
        &baom,
        &api,
        "POST",
        "/api/v1/desks/1/call-next",
        None,
        409,
        "no_waiting_ticket",
    );
    refused(
        &baom,
        &api,
        "POST",
        "/api/v1/desks/99/call-next",
        None,
        404,
        "unknown_desk",
    );
    refused(
        &baom,
        &api,
        "POST",
        "/api/v1/desks/one/call-next",
        None,
        404,
        "unknown_desk",
    );
    let t = post(&kiosk, "/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(t.status, 201);
    let id = post(&api, "/api/v1/desks/1/call-next", &json!({}))
        .expect("call")
        .json()["id"]
        .as_u64()
        .expect("id");
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/call"),
        Some(br#"{"desk": 2}"#),
        409,
        "invalid_state",
    );
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/call"),
        Some(br#"{"desk": 1}"#),
        409,
        "invalid_state",
    );
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/finish"),
        Some(br#"{"desk": 2}"#),
        409,
        "wrong_desk",
    );
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/finish"),
        Some(br#"{}"#),
        422,
        "invalid_field",
    );
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/dance"),
        Some(br#"{"desk": 1}"#),
        404,
        "not_found",
    );
    refused(
        &baom,
        &api,
        "POST",
        "/api/v1/tickets/999/call",
        Some(br#"{"desk": 1}"#),
        404,
        "unknown_ticket",
    );
    refused(
        &baom,
        &api,
        "GET",
        "/api/v1/tickets/-1",
        None,
        404,
        "unknown_ticket",
    );

    // Transferring.
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/transfer"),
        Some(br#"{"desk": 1, "service": "A"}"#),
        422,
        "transfer_to_same_service",
    );
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/transfer"),
        Some(br#"{"desk": 1, "service": "Q"}"#),
        422,
        "unknown_service",
    );
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/transfer"),
        Some(br#"{"desk": 1}"#),
        422,
        "invalid_field",
    );
    refused(
        &baom,
        &api,
        "POST",
        &format!("/api/v1/tickets/{id}/recall"),
        Some(br#"{"desk": 1, "service": "B"}"#),
        422,
        "invalid_field",
    );

    // Queries.
    refused(
        &baom,
        &api,
        "GET",
        "/api/v1/tickets?state=lost",
        None,
        400,
        "invalid_query",
    );
    refused(
        &baom,
        &api,
        "GET",
        "/api/v1/tickets?colour=red",
        None,
        400,
        "invalid_query",
    );
    refused(
        &baom,
        &api,
        "GET",
        "/api/v1/calls?limit=100000",
        None,
        400,
        "invalid_query",
    );
    refused(
        &baom,
        &api,
        "GET",
        "/api/v1/nothing",
        None,
        404,
        "not_found",
    );
    refused(
        &baom,
        &api,
        "DELETE",
        "/api/v1/tickets",
        None,
        405,
        "method_not_allowed",
    );

    // After all that, the office still works and numbering did not skip.
    let next = post(&kiosk, "/v1/tickets", &json!({"service": "A"}))
        .expect("issue")
        .json();
    assert_eq!(next["number"], "A-002");
}

/// Opening hours that exclude the current local time, so service D is closed whenever this runs.
fn closed_hours_now() -> String {
    let now = jiff_free_local_minute();
    // Open for one minute, two hours away from now.
    let open = (now + 120) % (24 * 60 - 1);
    let (h, m) = (open / 60, open % 60);
    let close = open + 1;
    let (ch, cm) = (close / 60, close % 60);
    format!(
        r#"{{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "{h:02}:{m:02}", close = "{ch:02}:{cm:02}" }}"#
    )
}

/// Minutes since midnight in Morocco, near enough (UTC+0 or UTC+1): a two-hour margin covers it.
fn jiff_free_local_minute() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    ((secs / 60) % (24 * 60)) as u32
}
