//! Appointments through the real service: booked from a case on its page, the slip printed on
//! the (file) receipt printer and its QR code read back by `zbarimg`; checked in at the kiosk's
//! API with that token (on time: the desk's call-next takes it before the walk-ins who came
//! first) or with its eight digits (late: an ordinary ticket, said so); an appointment of
//! another day, a forged or altered token, a ticket's token, an unknown code and a second
//! check-in refused by name; bookings in the past, off the slots or in a full slot refused; the
//! case's page says what became of each appointment, and one never checked in is missed once
//! its day is over.

use baom_e2e::{Baom, dossier_office, form, get, post, rasters, supervisor, zbarimg};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde_json::json;
use std::path::Path;

const ZONE: &str = "Africa/Casablanca";

/// Seconds to add to the host's clock so that the service's local time is 10:05 tomorrow.
fn offset_to_tomorrow_at_10_05() -> (i64, Date) {
    let zone = TimeZone::get(ZONE).expect("zone");
    let tomorrow = Timestamp::now()
        .to_zoned_datetime(zone.clone())
        .date()
        .tomorrow()
        .expect("tomorrow");
    let at = tomorrow
        .to_datetime(Time::new(10, 5, 0, 0).expect("time"))
        .in_tz(ZONE)
        .expect("local")
        .timestamp();
    (at.duration_since(Timestamp::now()).as_secs(), tomorrow)
}

/// A person with a case; returns the case's id.
fn case(officer: &baom_e2e::Endpoint, latin: &str) -> String {
    let person = form(
        officer,
        "/people",
        &[
            ("name_latin", latin),
            ("sex", "male"),
            ("profile", "foreigner"),
            ("birth_date", "1988-02-03"),
            ("consent_dossier", "on"),
            ("consent_method", "oral"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(person.status, 303, "{}", person.text());
    let id = person.location().trim_start_matches("/people/").to_owned();
    let case = form(
        officer,
        "/cases",
        &[("person", &id), ("procedure", "child-birth-registration")],
    );
    assert_eq!(case.status, 303, "{}", case.text());
    case.location().trim_start_matches("/cases/").to_owned()
}

fn book(officer: &baom_e2e::Endpoint, case: &str, day: Date, time: &str) -> baom_e2e::Reply {
    form(
        officer,
        &format!("/cases/{case}/appointments"),
        &[
            ("day", &day.to_string()),
            ("time", time),
            ("service", "A"),
            ("desk", ""),
        ],
    )
}

/// Prints the slip at `slip` and reads its QR code back from the printed bytes with zbarimg.
fn printed_token(officer: &baom_e2e::Endpoint, slip: &str, dir: &Path) -> String {
    let receipts = dir.join("receipts.escpos");
    let before = std::fs::read(&receipts).unwrap_or_default().len();
    let r = form(officer, slip, &[("action", "print")]);
    assert_eq!(r.status, 200, "{}", r.text());
    let bytes = std::fs::read(&receipts).expect("printed");
    let qr = rasters(&bytes[before..])
        .into_iter()
        .find(|r| r.width.abs_diff(r.height) <= 8 && r.width >= 100)
        .expect("a square raster: the QR code");
    let image = dir.join("appointment-qr.pgm");
    std::fs::write(&image, qr.to_pgm(16)).expect("pgm");
    zbarimg(&image).expect("zbarimg reads the slip's QR code")
}

/// The slip's eight digits, from its page.
fn code_on(page: &str) -> String {
    let start = page
        .find("id=\"appointment-code\"")
        .expect("code on the slip");
    let text = &page[start..];
    let text = &text[text.find('>').expect("tag") + 1..];
    text[..text.find('<').expect("end")].replace(' ', "")
}

#[test]
fn an_appointment_checks_in_at_the_kiosk_ahead_of_walk_ins_and_a_late_one_is_a_walk_in() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let (offset, today) = offset_to_tomorrow_at_10_05();
    let baom = Baom::serve_env(
        &config,
        dir.path(),
        &[("BAOM_TEST_CLOCK_OFFSET_SECONDS", &offset.to_string())],
    );
    let officer = baom.officer();
    let boss = supervisor(&baom);
    let kiosk = baom.kiosk();
    let api = baom.api();

    // Two walk-ins came first.
    for _ in 0..2 {
        let r = post(
            &kiosk,
            "/v1/tickets",
            &json!({"service": "A", "language": "fr"}),
        )
        .expect("ticket");
        assert_eq!(r.status, 201, "{}", r.text());
    }

    // Booked from the case at 10:30 today; the slip printed, its QR code read by zbarimg.
    let first = case(&officer, "Moussa Keita");
    let r = book(&officer, &first, today, "10:30");
    assert_eq!(r.status, 303, "{}", r.text());
    let slip = r.location();
    assert!(slip.starts_with("/appointments/"), "{slip}");
    let page = get(&officer, &slip).expect("slip").text();
    for words in ["موعد", "ⴰⵎⵓⵙⵙⵓ", "Rendez-vous", "Appointment", "10:30"] {
        assert!(page.contains(words), "{words:?} on the slip");
    }
    assert!(page.contains("<svg"), "the QR code is drawn on the page");
    let token = printed_token(&officer, &slip, dir.path());
    assert_eq!(token.len(), 26, "{token}");

    // A forged token, an altered one, a ticket's token and an unknown code: refused by name.
    let check_in = |code: &str| {
        post(
            &kiosk,
            "/v1/appointments/check-in",
            &json!({"code": code, "language": "ar"}),
        )
        .expect("check-in")
    };
    let mut altered = token.clone().into_bytes();
    altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ascii");
    for (bad, status, code) in [
        (altered.as_str(), 400, "invalid_appointment"),
        ("NOT-A-TOKEN", 400, "invalid_appointment"),
        ("", 400, "invalid_appointment"),
        ("0000 0000", 404, "unknown_appointment"),
    ] {
        let r = check_in(bad);
        assert_eq!(
            (r.status, r.code()),
            (status, code.to_owned()),
            "{bad:?}: {}",
            r.text()
        );
    }
    let ticket = post(&kiosk, "/v1/tickets", &json!({"service": "B"})).expect("ticket");
    let ticket_token = ticket.json()["token"].as_str().expect("token").to_owned();
    let r = check_in(&ticket_token);
    assert_eq!(
        r.code(),
        "invalid_appointment",
        "a ticket is not an appointment"
    );
    let r = post(
        &kiosk,
        "/v1/appointments/check-in",
        &json!({"code": token, "extra": 1}),
    )
    .expect("check-in");
    assert_eq!(r.status, 422, "unknown field: {}", r.text());

    // The officer's day: the desk page lists today's appointments.
    let desk = get(&officer, "/desk/1").expect("desk").text();
    let today_card = &desk[desk
        .find("id=\"appointments-today\"")
        .expect("today's appointments")..];
    assert!(today_card.contains("10:30") && today_card.contains("data-state=\"booked\""));

    // On time (25 minutes before the slot): ahead of the two walk-ins.
    let r = check_in(&token);
    assert_eq!(r.status, 201, "{}", r.text());
    let checked = r.json();
    assert_eq!(checked["number"], "A-003");
    assert_eq!(checked["appointment"]["arrival"], "on_time");
    assert_eq!(checked["appointment"]["ahead_of_walk_ins"], true);
    assert_eq!(checked["ahead"], 0, "{checked}");
    // The kiosk lost the answer and asks again: the same ticket, nothing new issued or printed.
    let receipts = dir.path().join("receipts.escpos");
    let printed = std::fs::read(&receipts).expect("receipts").len();
    let r = check_in(&token);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["number"], "A-003", "the same ticket again");
    let now_printed = std::fs::read(&receipts).expect("receipts").len();
    assert_eq!(now_printed, printed, "no second receipt");
    let r = post(&api, "/api/v1/desks/1/call-next", &json!({})).expect("call");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["number"],
        "A-003",
        "the appointment is called first"
    );
    // Once called, the slip is used.
    let r = check_in(&token);
    assert_eq!((r.status, r.code()), (409, "appointment_used".to_owned()));

    // Bookings refused: the past, off the slots, a full slot (two desks serve A: two places).
    let second = case(&officer, "Ibrahima Traoré");
    let refused = |time: &str, why: &str| {
        let r = book(&officer, &second, today, time);
        assert_eq!(r.status, 303, "{}", r.text());
        let back = r.location();
        assert!(back.contains("problem="), "{time}: {back}");
        let page = get(&officer, &back).expect("case").text();
        assert!(page.contains(why), "{time}: {why:?} on the case page");
    };
    refused("09:00", "Cette heure est passée");
    refused("10:40", "pas un créneau de ce service");
    let r = book(&officer, &second, today, "10:30");
    assert!(
        r.location().starts_with("/appointments/"),
        "{}",
        r.location()
    );
    let code = code_on(&get(&officer, &r.location()).expect("slip").text());
    assert_eq!(code.len(), 8, "{code}");
    refused("10:30", "Ce créneau est complet");
    let tomorrow = today.tomorrow().expect("day");
    let r = book(&officer, &second, tomorrow, "10:00");
    let later_slip = r.location();
    assert!(later_slip.starts_with("/appointments/"), "{later_slip}");
    let later_code = code_on(&get(&officer, &later_slip).expect("slip").text());

    // Another day's appointment is refused at the kiosk, naming its day; its code is
    // tomorrow's, so today nobody has it.
    let later_token = printed_token(&officer, &later_slip, dir.path());
    let r = check_in(&later_token);
    assert_eq!(
        (r.status, r.code()),
        (409, "appointment_other_day".to_owned()),
        "{}",
        r.text()
    );
    assert!(r.text().contains(&tomorrow.to_string()), "{}", r.text());
    let r = check_in(&later_code);
    assert_eq!(r.code(), "unknown_appointment", "{}", r.text());

    // Over twenty minutes after the slot began (the window is 15): a walk-in, told so.
    let set = |t: jiff::civil::DateTime| {
        let z = t.in_tz(ZONE).expect("local");
        let r = form(
            &boss,
            "/clock",
            &[
                ("date", &z.strftime("%Y-%m-%d").to_string()),
                ("time", &z.strftime("%H:%M").to_string()),
            ],
        );
        assert!(r.status == 303 || r.status == 200, "{}", r.text());
    };
    set(today.to_datetime(Time::new(10, 52, 0, 0).expect("time")));
    let r = check_in(&format!("{} {}", &code[..4], &code[4..]));
    assert_eq!(r.status, 201, "{}", r.text());
    let late = r.json();
    assert_eq!(late["appointment"]["arrival"], "late");
    assert!(
        late["appointment"]["minutes"].as_u64().unwrap_or(0) > 15,
        "{late}"
    );
    assert_eq!(late["appointment"]["ahead_of_walk_ins"], false);
    assert_eq!(late["number"], "A-004");
    let r = post(&api, "/api/v1/desks/2/call-next", &json!({})).expect("call");
    assert_eq!(r.json()["number"], "A-001", "the late one waits its turn");

    // A closed case books nothing, and says why; its log keeps the refusal, not a booking.
    let r = form(
        &officer,
        &format!("/cases/{first}"),
        &[("action", "close"), ("outcome", "resolved")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = book(&officer, &first, tomorrow, "11:00");
    assert!(r.location().contains("problem="), "{}", r.location());
    let page = get(&officer, &r.location()).expect("case").text();
    assert!(
        page.contains("Le dossier est clos"),
        "the reason on the case page"
    );
    assert!(
        page.contains("rendez-vous refusé"),
        "the refusal in the case's history"
    );

    // The case pages say what became of each appointment.
    let page = get(&officer, &format!("/cases/{first}"))
        .expect("case")
        .text();
    assert!(page.contains("data-state=\"checked_in\""), "on time");
    let page = get(&officer, &format!("/cases/{second}"))
        .expect("case")
        .text();
    assert!(page.contains("data-state=\"walk_in\""), "late");
    assert!(page.contains("late 2"), "how late is kept: {page}");
    assert!(page.contains("data-state=\"booked\""), "tomorrow's");

    // The day after tomorrow, tomorrow's appointment was never checked in: missed.
    let after = tomorrow.tomorrow().expect("day");
    set(after.to_datetime(Time::new(9, 0, 0, 0).expect("time")));
    let r = post(&kiosk, "/v1/tickets", &json!({"service": "A"})).expect("ticket");
    assert_eq!(r.status, 201, "a new day starts: {}", r.text());
    assert_eq!(r.json()["number"], "A-001");
    let page = get(&officer, &format!("/cases/{second}"))
        .expect("case")
        .text();
    assert!(page.contains("data-state=\"missed\""), "never checked in");
}
