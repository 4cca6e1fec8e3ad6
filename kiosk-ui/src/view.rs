//! What the screen shows, decided from the [`Flow`] alone: pure, so what a visitor sees in each
//! state is tested without a window. `kiosk.rs` copies a [`View`] into the Slint properties.

use crate::client::Language;
use crate::flow::{Flow, PriorityReason, Profile, Rating, Reason, ReceiptNote, Screen};
use crate::texts::{Texts, fill, texts};

/// A big tile: a pictogram and a few words. `id` is what a touch on it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileView {
    pub id: String,
    pub icon: &'static str,
    pub label: String,
    pub note: String,
    pub lang: &'static str,
    pub marked: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    pub screen: &'static str,
    pub language: &'static str,
    pub rtl: bool,
    pub title: String,
    pub title_ar: String,
    pub title_latin: String,
    pub can_go_back: bool,
    pub back: &'static str,
    pub listen: &'static str,
    pub tiles: Vec<TileView>,
    pub columns: i32,
    pub horizontal_tiles: bool,
    /// The tiles keep their left-to-right order in Arabic too (a keypad, as on a phone).
    pub tiles_left_to_right: bool,
    pub documents: Vec<TileView>,
    pub take_ticket: &'static str,
    pub scan_first: &'static str,
    pub scan_count: String,
    pub scan_hint: &'static str,
    pub scan_page: &'static str,
    pub scans_done: &'static str,
    pub ticket_number: String,
    pub ticket_service: String,
    pub ticket_ahead: String,
    pub ticket_wait: String,
    /// What the QR code holds: the ticket's opaque token, nothing personal.
    pub ticket_qr: String,
    pub receipt_note: &'static str,
    pub receipt_failed: bool,
    pub scan_papers: &'static str,
    pub finished: &'static str,
    pub notice: &'static str,
    pub one_moment: bool,
    pub one_moment_label: &'static str,
    pub busy: bool,
    pub please_wait: &'static str,
}

fn tile(id: String, icon: &'static str, label: &str, lang: Language) -> TileView {
    TileView {
        id,
        icon,
        label: label.to_owned(),
        note: String::new(),
        lang: lang.code(),
        marked: false,
        enabled: true,
    }
}

/// The keypad's pictograms: each digit drawn as on a clock's display.
const DIGIT_ICONS: [&str; 10] = [
    "digit-0", "digit-1", "digit-2", "digit-3", "digit-4", "digit-5", "digit-6", "digit-7",
    "digit-8", "digit-9",
];

/// The pictogram of a service, from its French name (the catalogue has no icon field yet).
pub fn service_icon(french_name: &str) -> &'static str {
    let n = french_name.to_lowercase();
    if n.contains("retraite") || n.contains("pension") || n.contains("social") {
        "pension"
    } else if n.contains("civil") || n.contains("naissance") || n.contains("scolar") {
        "civil"
    } else if n.contains("invest") || n.contains("projet") {
        "investment"
    } else {
        "info"
    }
}

/// The pictogram of a document, from its stable id.
pub fn document_icon(id: &str) -> &'static str {
    match id {
        "cin" => "cin",
        "passport" => "passport",
        "family-book" => "family-book",
        i if i.contains("letter") => "letter",
        i if i.contains("ids") => "ids",
        _ => "document",
    }
}

pub fn view(flow: &Flow) -> View {
    let l = flow.language;
    let t: &Texts = texts(l);
    let mut v = View {
        screen: flow.screen.id(),
        language: l.code(),
        rtl: l.is_rtl(),
        title: if flow.screen == Screen::Scan {
            t.scan_title.to_owned()
        } else {
            t.prompt(flow.screen).to_owned()
        },
        can_go_back: !matches!(
            flow.screen,
            Screen::Language | Screen::Ticket | Screen::Thanks
        ),
        back: t.back,
        listen: t.listen,
        columns: 2,
        take_ticket: t.take_ticket,
        scan_first: t.scan_first,
        scan_page: t.scan_page,
        scans_done: t.finished,
        scan_papers: t.scan_papers,
        finished: t.finished,
        one_moment: flow.one_moment,
        one_moment_label: t.one_moment,
        busy: flow.busy && !flow.one_moment,
        please_wait: if flow.screen == Screen::Scan {
            t.scanning
        } else {
            t.please_wait
        },
        notice: flow.refusal.as_deref().map_or("", |c| t.refusal(c)),
        ..View::default()
    };
    if let Some(c) = &flow.catalogue {
        v.title_ar = c.commune.ar.clone();
        v.title_latin = c.commune.fr.clone();
    }
    match flow.screen {
        Screen::Language => {
            // The start speaks every language: each tile in its own script and font.
            v.rtl = false;
            v.tiles = crate::client::START_ORDER
                .into_iter()
                .map(|lang| {
                    let lt = texts(lang);
                    TileView {
                        note: lt.choose_language.to_owned(),
                        ..tile(
                            format!("language-{}", lang.code()),
                            "listen",
                            lt.language_name,
                            lang,
                        )
                    }
                })
                .collect();
            v.columns = 4;
        }
        Screen::Profile => {
            let label = |p: Profile| match p {
                Profile::Abroad => t.profile_abroad,
                Profile::Returnee => t.profile_returnee,
                Profile::Dependant => t.profile_dependant,
                Profile::Foreigner => t.profile_foreigner,
            };
            v.tiles = Profile::ALL
                .into_iter()
                .map(|p| tile(format!("profile-{}", p.as_str()), p.as_str(), label(p), l))
                .collect();
            v.tiles.push(tile(
                "have-appointment".into(),
                "appointment",
                t.have_appointment,
                l,
            ));
            v.tiles
                .push(tile("give-opinion".into(), "opinion", t.give_opinion, l));
            v.columns = 3;
        }
        Screen::Appointment => {
            // The digits typed so far, in groups of four, the places left as dots.
            let places: Vec<char> = flow
                .code
                .chars()
                .chain(std::iter::repeat('·'))
                .take(8)
                .collect();
            let (first, second): (String, String) =
                (places[..4].iter().collect(), places[4..].iter().collect());
            // The code reads left to right in Arabic too, the places left after the digits:
            // isolated (LRI … PDI) so the dots do not take the title's direction.
            v.title = format!("{}  \u{2066}{first} {second}\u{2069}", t.appointment_title);
            let digit = |d: u8| {
                let id = format!("digit-{d}");
                tile(id, DIGIT_ICONS[usize::from(d)], &d.to_string(), l)
            };
            v.tiles = (1..=9).map(digit).collect();
            v.tiles.push(tile("erase".into(), "erase", t.erase, l));
            v.tiles.push(digit(0));
            v.tiles.push(TileView {
                enabled: flow.code.len() == 8,
                marked: flow.code.len() == 8,
                ..tile("check-in".into(), "check", t.check_in, l)
            });
            v.columns = 3;
            v.horizontal_tiles = true;
            v.tiles_left_to_right = true;
        }
        Screen::Service => {
            v.tiles = flow
                .services()
                .into_iter()
                .map(|(s, usual)| TileView {
                    note: if !s.open_now {
                        t.closed_now.to_owned()
                    } else if usual {
                        t.usual.to_owned()
                    } else {
                        String::new()
                    },
                    marked: usual && s.open_now,
                    enabled: s.open_now,
                    ..tile(
                        format!("service-{}", s.letter),
                        service_icon(&s.names.fr),
                        s.names.get(l),
                        l,
                    )
                })
                .collect();
            v.columns = if v.tiles.len() > 4 { 3 } else { 2 };
            v.horizontal_tiles = true;
        }
        Screen::Priority => {
            let label = |p: PriorityReason| match p {
                PriorityReason::Elderly => t.priority_elderly,
                PriorityReason::Pregnant => t.priority_pregnant,
                PriorityReason::Disability => t.priority_disability,
                PriorityReason::None => t.priority_none,
            };
            let icon = |p: PriorityReason| match p {
                PriorityReason::None => "person",
                other => other.id(),
            };
            v.tiles = PriorityReason::ALL
                .into_iter()
                .map(|p| tile(format!("priority-{}", p.id()), icon(p), label(p), l))
                .collect();
            v.columns = 4;
        }
        Screen::Documents => {
            let docs = flow
                .chosen_service()
                .map(|s| s.documents.as_slice())
                .unwrap_or_default();
            v.documents = docs
                .iter()
                .map(|d| {
                    tile(
                        format!("document-{}", d.id),
                        document_icon(&d.id),
                        d.names.get(l),
                        l,
                    )
                })
                .collect();
            if v.documents.is_empty() {
                v.documents
                    .push(tile("document-none".into(), "check", t.no_papers, l));
            }
        }
        Screen::Scan | Screen::Ticket => {
            v.scan_count = fill(t.pages_scanned, flow.scans.len());
            v.scan_hint = t.scan_hint;
            if let Some(ticket) = &flow.ticket {
                v.ticket_number = ticket.number.clone();
                v.ticket_service = flow
                    .catalogue
                    .as_ref()
                    .and_then(|c| c.services.iter().find(|s| s.letter == ticket.service))
                    .map(|s| s.names.get(l).to_owned())
                    .unwrap_or_default();
                v.ticket_ahead = if ticket.ahead == 0 {
                    t.nobody_ahead.to_owned()
                } else {
                    fill(t.ahead, ticket.ahead)
                };
                v.ticket_wait = if ticket.estimated_wait_s == 0 {
                    String::new()
                } else {
                    fill(t.wait_minutes, ticket.estimated_wait_s.div_ceil(60))
                };
                v.ticket_qr = ticket.token.clone();
                match ticket.arrival.as_deref() {
                    Some("on_time") => {
                        v.ticket_service =
                            format!("{} · {}", v.ticket_service, t.appointment_on_time);
                    }
                    Some(_) => v.notice = t.appointment_outside,
                    None => {}
                }
            }
            let note = flow.receipt_note();
            v.receipt_note = match note {
                ReceiptNote::Printed => t.receipt_printed,
                ReceiptNote::Failed => t.receipt_failed,
                ReceiptNote::Unknown => t.receipt_unknown,
            };
            v.receipt_failed = note == ReceiptNote::Failed;
        }
        Screen::Feedback => {
            v.tiles = [
                (Rating::Good, t.rating_good),
                (Rating::Neutral, t.rating_neutral),
                (Rating::Bad, t.rating_bad),
            ]
            .into_iter()
            .map(|(r, label)| tile(format!("rate-{}", r.as_str()), r.as_str(), label, l))
            .collect();
            v.columns = 3;
        }
        Screen::FeedbackService => {
            v.tiles = flow
                .catalogue
                .as_ref()
                .map(|c| c.services.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|s| {
                    tile(
                        format!("for-{}", s.letter),
                        service_icon(&s.names.fr),
                        s.names.get(l),
                        l,
                    )
                })
                .collect();
            v.tiles.push(tile("for-none".into(), "skip", t.skip, l));
            v.columns = if v.tiles.len() > 4 { 3 } else { 2 };
            v.horizontal_tiles = true;
        }
        Screen::FeedbackReason => {
            v.tiles = [
                (Reason::Waiting, "waiting", t.reason_waiting),
                (Reason::Welcome, "welcome", t.reason_welcome),
                (Reason::Explained, "explained", t.reason_explained),
                (Reason::Documents, "document", t.reason_documents),
                (Reason::Place, "place", t.reason_place),
            ]
            .into_iter()
            .map(|(r, icon, label)| tile(format!("reason-{}", r.as_str()), icon, label, l))
            .collect();
            v.tiles.push(tile("reason-none".into(), "skip", t.skip, l));
            v.columns = 3;
        }
        Screen::Thanks => {}
    }
    v
}

/// What a touch on a tile or button means, from the ids the view gave them.
pub fn touch_of(id: &str) -> Option<crate::flow::Touch> {
    use crate::flow::Touch;
    let (kind, rest) = id.split_once('-').unwrap_or((id, ""));
    Some(match (kind, rest) {
        ("language", code) => Touch::Language(code.parse::<Language>().ok()?),
        ("profile", p) => Touch::Profile(Profile::parse(p)?),
        ("give", "opinion") => Touch::GiveOpinion,
        ("have", "appointment") => Touch::HaveAppointment,
        ("digit", d) => Touch::Digit(d.parse::<u8>().ok().filter(|d| *d < 10)?),
        ("erase", "") => Touch::Erase,
        ("check", "in") => Touch::CheckIn,
        ("service", letter) => Touch::Service(letter.to_owned()),
        ("priority", p) => Touch::Priority(PriorityReason::from_id(p)?),
        ("take", "ticket") => Touch::TakeTicket { scan_first: false },
        ("scan", "first") => Touch::TakeTicket { scan_first: true },
        ("scan", "page") => Touch::ScanPage,
        ("scan", "papers") => Touch::ScanPage,
        ("scans", "done") => Touch::ScansDone,
        ("finished", "") => Touch::Restart,
        ("back", "") => Touch::Back,
        ("listen", "") => Touch::Listen,
        ("rate", r) => Touch::Rate(Rating::parse(r)?),
        ("for", "none") => Touch::VotedFor(None),
        ("for", letter) if !letter.is_empty() => Touch::VotedFor(Some(letter.to_owned())),
        ("reason", "none") => Touch::Reason(None),
        ("reason", r) => Touch::Reason(Some(Reason::parse(r)?)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{Input, Touch};
    use std::time::Duration;

    #[test]
    fn every_tile_of_every_screen_means_a_touch_the_flow_knows() {
        let mut f = Flow::new(Duration::ZERO);
        for l in Language::ALL {
            f.language = l;
            for s in [
                Screen::Language,
                Screen::Profile,
                Screen::Appointment,
                Screen::Priority,
                Screen::Feedback,
                Screen::FeedbackService,
                Screen::FeedbackReason,
            ] {
                f.screen = s;
                for t in view(&f).tiles {
                    assert!(touch_of(&t.id).is_some(), "{}", t.id);
                }
            }
        }
        for id in [
            "back",
            "listen",
            "take-ticket",
            "scan-first",
            "scan-page",
            "scan-papers",
            "scans-done",
            "finished",
        ] {
            assert!(touch_of(id).is_some(), "{id}");
        }
        assert_eq!(touch_of("language-de"), None);
        assert_eq!(touch_of("rate-excellent"), None);
    }

    #[test]
    fn arabic_mirrors_and_the_start_screen_shows_each_language_in_its_own_script() {
        let mut f = Flow::new(Duration::ZERO);
        let start = view(&f);
        assert!(!start.rtl && !start.can_go_back);
        let langs: Vec<&str> = start.tiles.iter().map(|t| t.lang).collect();
        assert_eq!(langs, ["zgh", "ar", "fr", "en"]);
        f.handle(
            Input::Touch(Touch::Language(Language::Arabic)),
            Duration::ZERO,
        );
        let v = view(&f);
        assert!(v.rtl && v.can_go_back);
        assert_eq!(v.title, "من أنت؟");
    }

    #[test]
    fn the_ticket_screen_tells_the_visitor_to_note_the_number_when_printing_failed() {
        let mut f = Flow::new(Duration::ZERO);
        f.screen = Screen::Ticket;
        f.language = Language::French;
        f.ticket = Some(crate::client::IssuedTicket {
            number: "C-012".into(),
            service: "C".into(),
            token: "ab".repeat(16),
            ahead: 2,
            estimated_wait_s: 61,
            receipt: Some("failed".into()),
            arrival: None,
        });
        let v = view(&f);
        assert_eq!(v.ticket_number, "C-012");
        assert_eq!(v.ticket_ahead, "Personnes avant vous : 2");
        assert_eq!(v.ticket_wait, "Environ 2 minutes");
        assert!(v.receipt_failed);
        assert!(v.receipt_note.contains("retenez votre numéro"));
        // The keypad shows what is typed, whatever its length.
        f.screen = Screen::Appointment;
        for (code, shown) in [
            ("", "···· ····"),
            ("1", "1··· ····"),
            ("12345", "1234 5···"),
        ] {
            f.code = code.into();
            assert!(
                view(&f)
                    .title
                    .ends_with(&format!("\u{2066}{shown}\u{2069}")),
                "{code}"
            );
        }
        // In Arabic the keypad keeps a phone's order (1 2 3 from the left), the rest mirrors.
        f.language = Language::Arabic;
        let keypad = view(&f);
        assert!(keypad.rtl && keypad.tiles_left_to_right);
        f.screen = Screen::Profile;
        assert!(!view(&f).tiles_left_to_right);
        assert_eq!(v.ticket_qr, "ab".repeat(16), "the QR holds the token only");
    }
}
