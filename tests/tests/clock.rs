//! The clock, end to end: a box whose clock comes back from a power cut a day behind its last
//! ticket keeps its ticket times in order, says so on the technician's and supervisor's pages,
//! and goes on issuing tickets; setting the time on the page (refused years away, or before the
//! last event) clears it.
//!
//! The tests cannot set the host's clock: the service's test hook
//! `BAOM_TEST_CLOCK_OFFSET_SECONDS` makes its clock read a day behind, and setting the time
//! moves that offset. The real path is taken as far as it goes: the request for the privileged
//! helper (`set-time.request`) is written and checked here.

use baom_e2e::{
    Baom, TECHNICIAN, add_technician, dossier_office, form, get, log_in, post, query_i64,
    supervisor,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

const DAY: i64 = 86_400;

fn issued_at(reply: &baom_e2e::Reply) -> Timestamp {
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["issued_at"]
        .as_str()
        .expect("issued_at")
        .parse()
        .expect("a time")
}

#[test]
fn a_clock_a_day_behind_keeps_tickets_in_order_is_reported_and_is_cleared_by_setting_it() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    add_technician(&config);
    let baom = Baom::serve(&config, dir.path());
    // The supervisor receives a key to the dossiers (they open again after the restart).
    let _ = supervisor(&baom);
    let mut last = Timestamp::MIN;
    for _ in 0..3 {
        let t = issued_at(
            &post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue"),
        );
        assert!(t >= last);
        last = t;
    }
    assert_eq!(baom.stop().code(), Some(0));

    // The box comes back a day in the past.
    let behind = (-DAY).to_string();
    let baom = Baom::serve_env(
        &config,
        dir.path(),
        &[("BAOM_TEST_CLOCK_OFFSET_SECONDS", behind.as_str())],
    );
    let technician = log_in(&baom, TECHNICIAN.0, TECHNICIAN.1);
    let page = get(&technician, "/technician").expect("page").text();
    assert!(
        page.contains("id=\"clock-behind\""),
        "the technician is told: {page}"
    );
    let boss = supervisor(&baom);
    let audit = get(&boss, "/audit").expect("audit").text();
    assert!(
        audit.contains("id=\"clock-behind\""),
        "the supervisor is told"
    );
    let clock = get(&boss, "/clock").expect("clock").text();
    assert!(
        clock.contains("class=\"problem\" id=\"clock-verdict\""),
        "{clock}"
    );

    // The kiosk still issues, numbered on and dated after the last ticket, in order.
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let r = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue");
        let t = issued_at(&r);
        assert!(t >= last, "{t} is before {last}");
        last = t;
        numbers.push(r.json()["number"].as_str().expect("number").to_owned());
    }
    assert_eq!(numbers, ["A-004", "A-005", "A-006"]);
    let stored = query_i64(
        &dir.path().join("queue.db"),
        "SELECT count(*) FROM ticket_events e JOIN ticket_events f ON f.id = e.id + 1 WHERE f.at < e.at",
    );
    assert_eq!(stored, 0, "every event is dated after the one before");

    // Setting it years away, or before the last ticket, is refused and changes nothing.
    let zone = jiff::tz::TimeZone::get("Africa/Casablanca").expect("zone");
    let local = |t: Timestamp| {
        let z = t.to_zoned_datetime(zone.clone());
        (
            z.strftime("%Y-%m-%d").to_string(),
            z.strftime("%H:%M").to_string(),
        )
    };
    let set = |who: &baom_e2e::Endpoint, t: Timestamp| {
        let (date, time) = local(t);
        form(who, "/clock", &[("date", &date), ("time", &time)])
    };
    let far = set(
        &technician,
        Timestamp::now() + SignedDuration::from_hours(24 * 365 * 3),
    );
    assert_eq!(far.status, 422, "{}", far.text());
    assert!(far.text().contains("vérifiez l'année"), "{}", far.text());
    let before = set(&technician, last - SignedDuration::from_hours(48));
    assert_eq!(before.status, 422);
    assert!(
        before
            .text()
            .contains("antérieure à la dernière chose enregistrée")
    );
    let garbled = form(&technician, "/clock", &[("date", "hier"), ("time", "9h")]);
    assert_eq!(garbled.status, 422);
    assert!(garbled.text().contains("Date ou heure illisible"));
    assert!(
        get(&technician, "/clock")
            .expect("clock")
            .text()
            .contains("id=\"clock-behind\""),
        "still behind"
    );

    // Setting it to the real time (from the page, as the technician): the helper is asked,
    // the clock is right, and the office's log and the audit log say who set it.
    let now = Timestamp::now();
    let r = set(&technician, now);
    assert_eq!(r.status, 303, "{}", r.text());
    let request = std::fs::read_to_string(dir.path().join("set-time.request")).expect("request");
    let asked: i64 = request.trim().parse().expect("seconds");
    assert!((asked - now.as_second()).abs() < 120, "{asked} vs {now}");
    let clock = get(&technician, "/clock").expect("clock").text();
    assert!(
        clock.contains("class=\"verified\" id=\"clock-verdict\""),
        "{clock}"
    );
    assert!(
        !get(&technician, "/technician")
            .expect("page")
            .text()
            .contains("clock-behind")
    );
    let next =
        issued_at(&post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue"));
    assert!(
        next.duration_since(now).abs() < SignedDuration::from_mins(5),
        "{next}"
    );
    let office = get(&boss, "/office").expect("office").text();
    assert!(office.contains("data-action=\"clock.set\""), "{office}");
    let audit = get(&boss, "/audit").expect("audit").text();
    assert!(
        audit.contains("data-action=\"clock.set\""),
        "in the audit log"
    );
    // The supervisor stayed logged in across the jump.
    assert_eq!(get(&boss, "/clock").expect("clock").status, 200);
}

/// The image's privileged helper (`images/files/usr/lib/baom/set-time`, run as root by
/// `baom-set-time.service`) refuses any request but a plain number of seconds between 2025 and
/// 2100, and removes it whatever it held. (A valid request would set this machine's clock, so
/// only refusals run here; the image's boot test runs the real thing.)
#[test]
fn the_clock_helper_takes_only_a_number_of_seconds_in_range_and_removes_every_request() {
    let helper = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .join("images/files/usr/lib/baom/set-time");
    let dir = tempfile::tempdir().expect("dir");
    let request = dir.path().join("set-time.request");
    for bad in [
        "yesterday\n",
        "-5\n",
        "1700000000\n",
        "4200000000\n",
        "17e8\n",
        "\n",
    ] {
        std::fs::write(&request, bad).expect("request");
        let out = std::process::Command::new("sh")
            .arg(&helper)
            .arg(&request)
            .output()
            .expect("run the helper");
        assert!(!out.status.success(), "{bad:?} was taken");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("refused"),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!request.exists(), "{bad:?} was left to fire again");
    }
    // No request: nothing to do.
    let out = std::process::Command::new("sh")
        .arg(&helper)
        .arg(&request)
        .output()
        .expect("run the helper");
    assert!(out.status.success());
}
