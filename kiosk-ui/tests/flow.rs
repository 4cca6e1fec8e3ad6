//! The kiosk driven as a visitor drives it: synthetic touches at the centre of the real UI's
//! buttons (found by their accessible id with Slint's element queries), against the real `baom`
//! on a temporary directory, through its real kiosk socket. What the visitor was told is then
//! checked in `queue.db` itself.

use baom_e2e::Baom;
use baom_kiosk::App;
use baom_kiosk::client::Client;
use baom_kiosk::flow::Screen;
use baom_kiosk::kiosk::Kiosk;
use i_slint_backend_testing::{ElementHandle, ElementRoot};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};
use std::path::Path;
use std::time::{Duration, Instant};

fn kiosk(socket: &Path, width: u32, height: u32) -> Kiosk {
    baom_kiosk::headless::install(width, height).expect("headless platform");
    let app = App::new().expect("app");
    app.show().expect("show");
    Kiosk::new(app, Client::new(socket), None)
}

fn find(k: &Kiosk, id: &str) -> Vec<ElementHandle> {
    let id = id.to_owned();
    k.app()
        .root_element()
        .query_descendants()
        .match_predicate(move |e| e.accessible_id().as_deref() == Some(id.as_str()))
        .find_all()
}

fn visible(k: &Kiosk, id: &str) -> bool {
    !find(k, id).is_empty()
}

/// A finger on the centre of the one element with this accessible id.
fn tap(k: &Kiosk, id: &str) {
    let found = find(k, id);
    assert_eq!(found.len(), 1, "one {id:?} on screen {:?}", k.flow().screen);
    let e = &found[0];
    let (p, s) = (e.absolute_position(), e.size());
    assert!(
        s.width > 40.0 && s.height > 40.0,
        "{id} is too small to touch: {s:?}"
    );
    let position = slint::LogicalPosition::new(p.x + s.width / 2.0, p.y + s.height / 2.0);
    let w = k.app().window();
    w.dispatch_event(WindowEvent::PointerPressed {
        position,
        button: PointerEventButton::Left,
    });
    w.dispatch_event(WindowEvent::PointerReleased {
        position,
        button: PointerEventButton::Left,
    });
    w.dispatch_event(WindowEvent::PointerExited);
    k.pump();
}

fn label(k: &Kiosk, id: &str) -> String {
    find(k, id)
        .first()
        .and_then(|e| e.accessible_label())
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// Pumps the kiosk until `done`, or fails after 20 s saying what the screen was.
fn wait_for(k: &Kiosk, what: &str, done: impl Fn(&Kiosk) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(k) {
        assert!(
            Instant::now() < deadline,
            "waited 20 s for {what}; screen {:?}",
            k.flow()
        );
        std::thread::sleep(Duration::from_millis(20));
        k.pump();
        slint::platform::update_timers_and_animations();
    }
}

/// The ticket with this number today, as `(language, priority)` from `queue.db`.
fn stored(data: &Path, number: &str) -> Option<(String, bool)> {
    let (letter, seq) = number.split_once('-')?;
    let conn = rusqlite::Connection::open_with_flags(
        data.join("queue.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .ok()?;
    conn.query_row(
        "SELECT language, priority FROM tickets WHERE letter = ?1 AND seq = ?2",
        rusqlite::params![letter, seq.parse::<i64>().ok()?],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .ok()
}

#[test]
fn every_profile_in_every_language_ends_with_a_ticket_that_exists_in_queue_db() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let k = kiosk(&baom.socket, 800, 480);
    wait_for(&k, "the catalogue", |k| k.flow().catalogue.is_some());
    let priorities = [
        "priority-none",
        "priority-elderly",
        "priority-pregnant",
        "priority-disability",
    ];
    let mut n = 0;
    for language in ["zgh", "ar", "fr", "en"] {
        for profile in ["abroad", "returnee", "dependant", "foreigner"] {
            n += 1;
            assert!(visible(&k, &format!("language-{language}")));
            tap(&k, &format!("language-{language}"));
            assert_eq!(
                k.app().global::<baom_kiosk::Ui>().get_rtl(),
                language == "ar"
            );
            tap(&k, &format!("profile-{profile}"));
            // The profile's usual services come first: take the first tile.
            let first = k.app().get_tiles();
            let first = slint::Model::row_data(&first, 0).expect("a service");
            assert!(first.enabled && first.id.starts_with("service-"));
            tap(&k, &first.id);
            tap(&k, priorities[n % 4]);
            tap(&k, "take-ticket");
            wait_for(&k, "the ticket", |k| k.flow().screen == Screen::Ticket);
            let number = label(&k, "ticket-number");
            assert_eq!(
                number.split_once('-').map(|(l, _)| l),
                Some(&first.id["service-".len()..])
            );
            assert_eq!(
                stored(dir.path(), &number),
                Some((language.to_owned(), n % 4 != 0)),
                "{number} for {profile} in {language}"
            );
            assert!(!label(&k, "receipt-note").is_empty());
            tap(&k, "finished");
            assert_eq!(k.flow().screen, Screen::Language);
        }
    }
    let tickets = baom_e2e::counts(&dir.path().join("queue.db")).0;
    assert_eq!(tickets, 16);
}

#[test]
fn back_goes_one_step_back_and_arabic_mirrors_the_buttons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let k = kiosk(&baom.socket, 1280, 800);
    wait_for(&k, "the catalogue", |k| k.flow().catalogue.is_some());
    tap(&k, "language-fr");
    let ltr_back = find(&k, "back")[0].absolute_position().x;
    tap(&k, "back");
    tap(&k, "language-ar");
    let rtl_back = find(&k, "back")[0].absolute_position().x;
    assert!(
        ltr_back < 100.0 && rtl_back > 1000.0,
        "back at {ltr_back} then {rtl_back}"
    );
    tap(&k, "profile-foreigner");
    tap(&k, "back");
    assert_eq!(k.flow().screen, Screen::Profile);
    assert!(k.flow().profile.is_some());
}

#[test]
fn inactivity_returns_to_the_start_and_forgets_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let k = kiosk(&baom.socket, 800, 480);
    wait_for(&k, "the catalogue", |k| k.flow().catalogue.is_some());
    tap(&k, "language-en");
    tap(&k, "profile-dependant");
    tap(&k, "service-B");
    tap(&k, "priority-elderly");
    assert!(visible(&k, "take-ticket"));
    k.skip_time(baom_kiosk::flow::INACTIVITY);
    k.pump();
    assert!(visible(&k, "language-en") && !visible(&k, "take-ticket"));
    let f = k.flow();
    assert_eq!(
        (f.screen, f.profile, f.service, f.priority),
        (Screen::Language, None, None, None)
    );

    // A ticket on screen waits longer, then goes too.
    tap(&k, "language-en");
    tap(&k, "profile-dependant");
    tap(&k, "service-B");
    tap(&k, "priority-none");
    tap(&k, "take-ticket");
    wait_for(&k, "the ticket", |k| k.flow().screen == Screen::Ticket);
    assert!(!label(&k, "ticket-number").is_empty());
    k.skip_time(baom_kiosk::flow::INACTIVITY);
    k.pump();
    assert!(
        visible(&k, "ticket-number"),
        "the ticket stays while it may be noted"
    );
    k.skip_time(baom_kiosk::flow::TICKET_INACTIVITY);
    k.pump();
    assert!(!visible(&k, "ticket-number") && visible(&k, "language-ar"));
    assert!(k.flow().ticket.is_none());
    assert_eq!(k.app().get_ticket_number(), "");
}

#[test]
fn a_stopped_service_shows_one_moment_and_the_ticket_comes_once_it_is_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let socket = baom.socket.clone();
    let k = kiosk(&socket, 800, 480);
    wait_for(&k, "the catalogue", |k| k.flow().catalogue.is_some());
    tap(&k, "language-ar");
    tap(&k, "profile-returnee");
    tap(&k, "service-B");
    tap(&k, "priority-elderly");
    assert!(baom.stop().success());
    tap(&k, "take-ticket");
    wait_for(&k, "one moment", |k| visible(k, "one-moment"));
    assert_eq!(label(&k, "one-moment"), "لحظة من فضلك…");
    // Touches while the service is away do nothing.
    assert_eq!(k.flow().screen, Screen::Documents);

    let _back = Baom::demo(dir.path());
    wait_for(&k, "the ticket after the restart", |k| {
        k.flow().screen == Screen::Ticket
    });
    assert!(!visible(&k, "one-moment"));
    let number = label(&k, "ticket-number");
    assert_eq!(stored(dir.path(), &number), Some(("ar".to_owned(), true)));
    assert_eq!(
        baom_e2e::counts(&dir.path().join("queue.db")).0,
        1,
        "one ticket, not two"
    );
}

#[test]
fn papers_scanned_at_the_kiosk_are_attached_to_the_ticket_and_previewed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let k = kiosk(&baom.socket, 1280, 800);
    wait_for(&k, "the catalogue", |k| k.flow().catalogue.is_some());
    tap(&k, "language-fr");
    tap(&k, "profile-foreigner");
    tap(&k, "service-C");
    tap(&k, "priority-pregnant");
    tap(&k, "scan-first");
    wait_for(&k, "the scan screen", |k| k.flow().screen == Screen::Scan);
    assert!(!visible(&k, "scan-preview"));
    tap(&k, "scan-page");
    wait_for(&k, "the first page", |k| visible(k, "scan-preview"));
    assert_eq!(label(&k, "scan-count"), "Pages scannées : 1");
    tap(&k, "scans-done");
    assert_eq!(k.flow().screen, Screen::Ticket);
    let number = label(&k, "ticket-number");
    assert!(stored(dir.path(), &number).is_some());
    let scans: Vec<_> = std::fs::read_dir(dir.path().join("scans"))
        .expect("scans folder")
        .flat_map(|d| std::fs::read_dir(d.expect("entry").path()).expect("ticket folder"))
        .collect();
    assert_eq!(scans.len(), 1);
}

#[test]
fn a_visitor_rates_the_visit_with_a_face_and_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path()); // kept alive to the end of the test
    let k = kiosk(&baom.socket, 800, 480);
    wait_for(&k, "the catalogue", |k| k.flow().catalogue.is_some());
    tap(&k, "language-zgh");
    tap(&k, "give-opinion");
    tap(&k, "rate-bad");
    tap(&k, "for-A");
    tap(&k, "reason-waiting");
    wait_for(&k, "thanks", |k| k.flow().screen == Screen::Thanks);
    tap(&k, "finished");
    let conn = rusqlite::Connection::open_with_flags(
        dir.path().join("queue.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open");
    let vote: (String, String, String, String) = conn
        .query_row(
            "SELECT rating, reason, language, service FROM feedback",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("one vote");
    assert_eq!(
        vote,
        ("bad".into(), "waiting".into(), "zgh".into(), "A".into())
    );
}

/// The token and the short code of the newest appointment in `queue.db`.
fn newest_appointment(data: &Path) -> (String, String) {
    let conn = rusqlite::Connection::open_with_flags(
        data.join("queue.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("queue.db");
    conn.query_row(
        "SELECT token, code FROM appointments ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("an appointment")
}

/// Whether the ticket with this number went ahead of walk-ins (it holds its slot).
fn holds_its_slot(data: &Path, number: &str) -> bool {
    let (letter, seq) = number.split_once('-').expect("number");
    let conn = rusqlite::Connection::open_with_flags(
        data.join("queue.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("queue.db");
    conn.query_row(
        "SELECT appointment_slot IS NOT NULL FROM tickets WHERE letter = ?1 AND seq = ?2",
        rusqlite::params![letter, seq.parse::<i64>().expect("seq")],
        |r| r.get(0),
    )
    .expect("the ticket")
}

/// A USB barcode reader: it types what it read, then Return, into the focused window.
fn read_with_the_reader(k: &Kiosk, text: &str) {
    let w = k.app().window();
    for c in text.chars().chain(std::iter::once('\n')) {
        let text: slint::SharedString = c.to_string().into();
        w.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        w.dispatch_event(WindowEvent::KeyReleased { text });
    }
    k.pump();
}

#[test]
fn an_appointment_checks_in_on_the_keypad_or_with_the_reader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = baom_e2e::dossier_office(dir.path());
    // The service's clock at 10:05 tomorrow, so that 10:30 is a slot to come and on time.
    let zone = jiff::tz::TimeZone::get("Africa/Casablanca").expect("zone");
    let day = jiff::Timestamp::now()
        .to_zoned_datetime(zone)
        .date()
        .tomorrow()
        .expect("day");
    let at = day
        .at(10, 5, 0, 0)
        .in_tz("Africa/Casablanca")
        .expect("local")
        .timestamp();
    let offset = at.duration_since(jiff::Timestamp::now()).as_secs();
    let baom = Baom::serve_env(
        &config,
        dir.path(),
        &[("BAOM_TEST_CLOCK_OFFSET_SECONDS", &offset.to_string())],
    );
    let officer = baom.officer();
    let book = || {
        let person = baom_e2e::form(
            &officer,
            "/people",
            &[
                ("name_latin", "Seydou Coulibaly"),
                ("sex", "male"),
                ("profile", "foreigner"),
                ("birth_date", "1979-01-01"),
                ("consent_dossier", "on"),
                ("consent_method", "oral"),
                ("confirmed", "yes"),
            ],
        );
        let id = person.location().trim_start_matches("/people/").to_owned();
        let case = baom_e2e::form(
            &officer,
            "/cases",
            &[("person", &id), ("procedure", "child-birth-registration")],
        );
        let r = baom_e2e::form(
            &officer,
            &format!("{}/appointments", case.location()),
            &[
                ("day", &day.to_string()),
                ("time", "10:30"),
                ("service", "A"),
            ],
        );
        assert!(r.location().starts_with("/appointments/"), "{}", r.text());
        newest_appointment(dir.path())
    };
    let k = kiosk(&baom.socket, 800, 480);
    wait_for(&k, "the catalogue", |k| k.flow().catalogue.is_some());

    // Typed on the keypad, digit by digit.
    let (_, code) = book();
    tap(&k, "language-fr");
    tap(&k, "have-appointment");
    assert_eq!(k.flow().screen, Screen::Appointment);
    for d in code.chars() {
        tap(&k, &format!("digit-{d}"));
    }
    tap(&k, "check-in");
    wait_for(&k, "the ticket", |k| k.flow().screen == Screen::Ticket);
    let number = label(&k, "ticket-number");
    assert!(holds_its_slot(dir.path(), &number), "{number} goes ahead");
    tap(&k, "finished");

    // The slip's QR code shown to the reader on the start screen.
    let (token, _) = book();
    assert_eq!(k.flow().screen, Screen::Language);
    read_with_the_reader(&k, &token);
    wait_for(&k, "the ticket", |k| k.flow().screen == Screen::Ticket);
    let second = label(&k, "ticket-number");
    assert_ne!(second, number);
    assert!(holds_its_slot(dir.path(), &second), "{second} goes ahead");
    tap(&k, "finished");

    // The same slip again a moment later: the same ticket, no new one.
    read_with_the_reader(&k, &token);
    wait_for(&k, "the ticket", |k| k.flow().screen == Screen::Ticket);
    assert_eq!(label(&k, "ticket-number"), second);
    assert_eq!(baom_e2e::counts(&dir.path().join("queue.db")).0, 2);
    tap(&k, "finished");

    // Stray keys from a keyboard: nothing is sent, the start screen stays.
    read_with_the_reader(&k, "hello");
    assert_eq!(k.flow().screen, Screen::Language);
    assert!(!k.flow().busy);
}
