//! The visitor's path through the kiosk, as a pure state machine.
//!
//! [`Flow::handle`] takes an [`Input`] (a touch, an answer from the service, the passing of time)
//! with the current monotonic time and returns the [`Effect`]s to carry out (ask the service for
//! a ticket, speak a prompt…). It does no I/O and reads no clock, so every path, the inactivity
//! reset and the "one moment" retry are tested here directly; `kiosk.rs` only carries effects out.
//!
//! **Invariant:** the flow holds nothing personal. It knows a language, a profile (never sent), a
//! service letter, whether the visitor asked for priority, the digits of an appointment's code
//! being typed, and the ticket the service answered (number, token, people ahead); the reset
//! forgets all of it.

use crate::client::{Catalogue, IssuedTicket, Language, Printer};
pub use baom_domain::dossier::Profile;
pub use baom_domain::feedback::{Rating, Reason};
use std::time::Duration;

/// How long a screen waits for a touch before the kiosk forgets everything and starts again.
pub const INACTIVITY: Duration = Duration::from_secs(45);
/// The ticket screen stays longer: the visitor may be noting the number.
pub const TICKET_INACTIVITY: Duration = Duration::from_secs(90);
/// How often a request is retried while the service does not answer.
pub const RETRY_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The start: the four languages, each in its own script.
    Language,
    /// Who you are: the four profiles, "I have an appointment" and "give my opinion".
    Profile,
    /// An appointment: type its eight digits on a keypad, or show its QR code to the reader.
    Appointment,
    /// Why you came: the catalogue's services, the profile's usual ones first.
    Service,
    /// Priority: elderly, pregnant, disability, or none.
    Priority,
    /// The papers to have ready; take the ticket, or have papers scanned first.
    Documents,
    /// Scanning pages onto the ticket just issued, with a preview.
    Scan,
    /// The ticket, big: number, service, people ahead, QR code.
    Ticket,
    /// Three faces.
    Feedback,
    /// Optionally, the service the visit was for (the services' pictures, and "skip").
    FeedbackService,
    /// An optional reason, as pictograms.
    FeedbackReason,
    /// Thank you (then back to the start).
    Thanks,
}

impl Screen {
    pub const ALL: [Screen; 12] = [
        Screen::Language,
        Screen::Profile,
        Screen::Appointment,
        Screen::Service,
        Screen::Priority,
        Screen::Documents,
        Screen::Scan,
        Screen::Ticket,
        Screen::Feedback,
        Screen::FeedbackService,
        Screen::FeedbackReason,
        Screen::Thanks,
    ];

    /// The name used by the UI, the snapshots and the audio clips.
    pub fn id(self) -> &'static str {
        match self {
            Screen::Language => "language",
            Screen::Profile => "profile",
            Screen::Appointment => "appointment",
            Screen::Service => "service",
            Screen::Priority => "priority",
            Screen::Documents => "documents",
            Screen::Scan => "scan",
            Screen::Ticket => "ticket",
            Screen::Feedback => "feedback",
            Screen::FeedbackService => "feedback-service",
            Screen::FeedbackReason => "feedback-reason",
            Screen::Thanks => "thanks",
        }
    }
}

/// Keywords of the services a profile usually comes for, matched against document ids of the
/// catalogue (stable ids such as `pension-letters`, `birth-notice`), so the order follows the
/// commune's own catalogue rather than fixed letters. The profile orders services; it is never
/// sent.
fn usual_documents(profile: Profile) -> &'static [&'static str] {
    match profile {
        Profile::Abroad => &["passport", "cin"],
        Profile::Returnee => &["pension", "family-book"],
        Profile::Dependant => &["family-book", "pension"],
        Profile::Foreigner => &["birth", "parents", "passport"],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityReason {
    None,
    Elderly,
    Pregnant,
    Disability,
}

impl PriorityReason {
    pub const ALL: [PriorityReason; 4] = [
        PriorityReason::Elderly,
        PriorityReason::Pregnant,
        PriorityReason::Disability,
        PriorityReason::None,
    ];
    pub fn id(self) -> &'static str {
        match self {
            PriorityReason::None => "none",
            PriorityReason::Elderly => "elderly",
            PriorityReason::Pregnant => "pregnant",
            PriorityReason::Disability => "disability",
        }
    }
    pub fn from_id(id: &str) -> Option<PriorityReason> {
        PriorityReason::ALL.into_iter().find(|p| p.id() == id)
    }
}

/// What the ticket screen says about the paper receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptNote {
    /// "Take your ticket below."
    Printed,
    /// "The printer is not working: note your number (or photograph the screen)."
    Failed,
    /// The service did not say (older service, or unknown printer): "take your ticket below;
    /// if none comes out, note your number".
    Unknown,
}

/// What the visitor touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touch {
    Language(Language),
    Profile(Profile),
    GiveOpinion,
    HaveAppointment,
    /// A digit of the appointment's code on the keypad.
    Digit(u8),
    Erase,
    /// Check in with the digits typed.
    CheckIn,
    Service(String),
    Priority(PriorityReason),
    /// Take the ticket now (`scan_first: false`), or take it and scan papers onto it first.
    TakeTicket {
        scan_first: bool,
    },
    ScanPage,
    ScansDone,
    Rate(Rating),
    /// The service the visit was for (a letter), or none said.
    VotedFor(Option<String>),
    Reason(Option<Reason>),
    Back,
    /// "Finished" on the ticket or thanks screen: start again for the next visitor.
    Restart,
    /// Replay the screen's spoken prompt.
    Listen,
}

/// Something that happened, given to [`Flow::handle`].
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Touch(Touch),
    /// Time passes (the UI's timer): resets after inactivity, retries while the service is away.
    Tick,
    Catalogue(Catalogue),
    Printer(Printer),
    Issued(IssuedTicket),
    Scanned {
        id: u32,
    },
    FeedbackRecorded,
    /// The barcode reader read a code (an appointment slip's QR code), as a line of text.
    CodeRead(String),
    /// The service did not answer (socket absent, refused, timed out, 5xx): retry later.
    ServiceDown,
    /// The service refused the request for good (4xx): the code says why.
    Refused {
        code: String,
    },
}

/// What the kiosk must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadCatalogue,
    ReadPrinter,
    Issue {
        service: String,
        priority: bool,
        language: Language,
    },
    /// Check in for an appointment with its token or its eight digits.
    CheckIn {
        code: String,
        language: Language,
    },
    Scan {
        token: String,
    },
    SendFeedback {
        rating: Rating,
        reason: Option<Reason>,
        language: Language,
        service: Option<String>,
    },
    /// Play the spoken prompt of a screen in a language.
    Speak {
        screen: Screen,
        language: Language,
    },
    StopSpeaking,
}

/// A request waiting for the service; kept to retry it while the service is away.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    Issue { scan_first: bool, effect: Effect },
    Scan(Effect),
    Feedback(Effect),
}

impl Pending {
    fn effect(&self) -> Effect {
        match self {
            Pending::Issue { effect, .. } | Pending::Scan(effect) | Pending::Feedback(effect) => {
                effect.clone()
            }
        }
    }
}

/// A token of an appointment slip (26 letters A–Z and digits 2–7) or its eight digits.
fn looks_like_a_slip(code: &str) -> bool {
    let token = code.len() == 26
        && code
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || (b'2'..=b'7').contains(&b));
    let digits: String = code.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    token || (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The kiosk's whole state for one visitor.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub screen: Screen,
    pub language: Language,
    pub profile: Option<Profile>,
    pub service: Option<String>,
    pub priority: Option<PriorityReason>,
    /// The digits of an appointment's code typed so far.
    pub code: String,
    pub ticket: Option<IssuedTicket>,
    pub scans: Vec<u32>,
    pub rating: Option<Rating>,
    /// The service the rated visit was for, when the visitor said.
    pub rated_service: Option<String>,
    /// The catalogue, kept across visitors (it is the commune's, not the visitor's).
    pub catalogue: Option<Catalogue>,
    pub printer: Printer,
    /// The service is not answering: show "one moment" and retry.
    pub one_moment: bool,
    /// A request in flight (show "please wait", ignore touches that would start another).
    pub busy: bool,
    /// The last refusal to explain (e.g. `service_closed`), cleared by the next touch.
    pub refusal: Option<String>,
    pending: Option<Pending>,
    last_touch: Duration,
    last_retry: Duration,
}

impl Flow {
    /// A fresh kiosk at time `now`.
    pub fn new(now: Duration) -> Flow {
        Flow {
            screen: Screen::Language,
            language: Language::Arabic,
            profile: None,
            service: None,
            priority: None,
            code: String::new(),
            ticket: None,
            scans: Vec::new(),
            rating: None,
            rated_service: None,
            catalogue: None,
            printer: Printer::Unknown,
            one_moment: false,
            busy: false,
            refusal: None,
            pending: None,
            last_touch: now,
            last_retry: now,
        }
    }

    /// Effects to run when the kiosk starts.
    pub fn start(&self) -> Vec<Effect> {
        vec![Effect::LoadCatalogue, Effect::ReadPrinter]
    }

    /// Forgets the visitor: back to the language screen, nothing kept but the catalogue.
    fn reset(&mut self, now: Duration) -> Vec<Effect> {
        let catalogue = self.catalogue.take();
        let printer = self.printer;
        *self = Flow::new(now);
        self.catalogue = catalogue;
        self.printer = printer;
        vec![
            Effect::StopSpeaking,
            Effect::LoadCatalogue,
            Effect::ReadPrinter,
        ]
    }

    fn go(&mut self, screen: Screen) -> Vec<Effect> {
        self.screen = screen;
        vec![Effect::Speak {
            screen,
            language: self.language,
        }]
    }

    fn inactivity_limit(&self) -> Duration {
        if self.screen == Screen::Ticket {
            TICKET_INACTIVITY
        } else {
            INACTIVITY
        }
    }

    /// The services in the order to show: the profile's usual ones first. The bool marks them.
    pub fn services(&self) -> Vec<(&crate::client::Service, bool)> {
        let Some(c) = &self.catalogue else {
            return Vec::new();
        };
        let usual = |s: &crate::client::Service| {
            self.profile.is_some_and(|p| {
                s.documents
                    .iter()
                    .any(|d| usual_documents(p).iter().any(|k| d.id.contains(k)))
            })
        };
        let mut list: Vec<_> = c.services.iter().map(|s| (s, usual(s))).collect();
        list.sort_by_key(|(_, u)| !*u); // stable: catalogue order within each group
        list
    }

    /// What to tell the visitor about the paper receipt. The ticket is always shown big anyway.
    pub fn receipt_note(&self) -> ReceiptNote {
        let receipt = self.ticket.as_ref().and_then(|t| t.receipt.as_deref());
        match (receipt, self.printer) {
            (Some("failed"), _)
            | (_, Printer::PaperOut | Printer::CoverOpen | Printer::Offline) => ReceiptNote::Failed,
            (Some("printed" | "queued"), _) => ReceiptNote::Printed,
            _ => ReceiptNote::Unknown,
        }
    }

    /// The chosen service, if it is in the catalogue.
    pub fn chosen_service(&self) -> Option<&crate::client::Service> {
        let letter = self.service.as_deref()?;
        self.catalogue
            .as_ref()?
            .services
            .iter()
            .find(|s| s.letter == letter)
    }

    pub fn handle(&mut self, input: Input, now: Duration) -> Vec<Effect> {
        match input {
            Input::Tick => self.tick(now),
            Input::Touch(t) => {
                self.last_touch = now;
                self.touch(t, now)
            }
            Input::Catalogue(c) => {
                self.catalogue = Some(c);
                if self.pending.is_none() {
                    self.one_moment = false;
                }
                Vec::new()
            }
            Input::Printer(p) => {
                self.printer = p;
                Vec::new()
            }
            Input::ServiceDown => {
                self.one_moment = true;
                self.last_retry = now;
                Vec::new()
            }
            Input::Refused { code } => {
                self.busy = false;
                self.one_moment = false;
                let pending = self.pending.take();
                self.refusal = Some(code);
                match pending {
                    // The feedback could not be recorded: thank the visitor anyway.
                    Some(Pending::Feedback(_)) => self.go(Screen::Thanks),
                    _ => Vec::new(),
                }
            }
            Input::Issued(ticket) => {
                let scan_first = matches!(
                    self.pending.take(),
                    Some(Pending::Issue {
                        scan_first: true,
                        ..
                    })
                );
                self.busy = false;
                self.one_moment = false;
                self.ticket = Some(ticket);
                self.go(if scan_first {
                    Screen::Scan
                } else {
                    Screen::Ticket
                })
            }
            Input::Scanned { id } => {
                self.pending = None;
                self.busy = false;
                self.one_moment = false;
                self.scans.push(id);
                Vec::new()
            }
            Input::FeedbackRecorded => {
                self.pending = None;
                self.busy = false;
                self.one_moment = false;
                self.go(Screen::Thanks)
            }
            Input::CodeRead(code) => {
                // A slip shown to the reader on the first screens checks in at once. Only what
                // a slip holds is sent (its token, or eight digits): stray keys are dropped.
                let code = code.trim().to_owned();
                let here = matches!(
                    self.screen,
                    Screen::Language | Screen::Profile | Screen::Appointment
                );
                if !here || self.busy || !looks_like_a_slip(&code) {
                    return Vec::new();
                }
                self.last_touch = now;
                self.refusal = None;
                self.check_in(code, now)
            }
        }
    }

    /// Asks the service to check the appointment in; its ticket comes back as [`Input::Issued`].
    fn check_in(&mut self, code: String, now: Duration) -> Vec<Effect> {
        let effect = Effect::CheckIn {
            code,
            language: self.language,
        };
        self.busy = true;
        self.last_retry = now;
        self.pending = Some(Pending::Issue {
            scan_first: false,
            effect: effect.clone(),
        });
        vec![effect]
    }

    fn tick(&mut self, now: Duration) -> Vec<Effect> {
        let idle = now.saturating_sub(self.last_touch);
        // Never forget a visitor while their ticket is being issued: it would be lost to them.
        let issuing = matches!(self.pending, Some(Pending::Issue { .. }));
        if self.screen != Screen::Language && !issuing && idle >= self.inactivity_limit() {
            return self.reset(now);
        }
        if self.screen == Screen::Language && idle >= INACTIVITY && self.refusal.is_some() {
            self.refusal = None;
        }
        if self.one_moment && now.saturating_sub(self.last_retry) >= RETRY_EVERY {
            self.last_retry = now;
            return match &self.pending {
                Some(p) => vec![p.effect()],
                None => vec![Effect::LoadCatalogue, Effect::ReadPrinter],
            };
        }
        Vec::new()
    }

    fn touch(&mut self, touch: Touch, now: Duration) -> Vec<Effect> {
        if touch == Touch::Listen {
            return vec![Effect::Speak {
                screen: self.screen,
                language: self.language,
            }];
        }
        // While a request is in flight, only "back" on screens that do not wait for it.
        if self.busy {
            return Vec::new();
        }
        self.refusal = None;
        match (self.screen, touch) {
            (Screen::Language, Touch::Language(l)) => {
                self.language = l;
                let mut e = self.go(Screen::Profile);
                if self.catalogue.is_none() {
                    e.push(Effect::LoadCatalogue);
                }
                e
            }
            (Screen::Profile, Touch::Profile(p)) => {
                self.profile = Some(p);
                self.go(Screen::Service)
            }
            (Screen::Profile, Touch::GiveOpinion) => self.go(Screen::Feedback),
            (Screen::Profile, Touch::HaveAppointment) => {
                self.code.clear();
                self.go(Screen::Appointment)
            }
            (Screen::Appointment, Touch::Digit(d)) => {
                if d < 10 && self.code.len() < 8 {
                    self.code.push(char::from(b'0' + d));
                }
                Vec::new()
            }
            (Screen::Appointment, Touch::Erase) => {
                self.code.pop();
                Vec::new()
            }
            (Screen::Appointment, Touch::CheckIn) => {
                if self.code.len() != 8 {
                    return Vec::new();
                }
                let code = self.code.clone();
                self.check_in(code, now)
            }
            (Screen::Service, Touch::Service(letter)) => {
                let known = self
                    .catalogue
                    .as_ref()
                    .is_some_and(|c| c.services.iter().any(|s| s.letter == letter && s.open_now));
                if !known {
                    return Vec::new();
                }
                self.service = Some(letter);
                self.go(Screen::Priority)
            }
            (Screen::Priority, Touch::Priority(p)) => {
                self.priority = Some(p);
                self.go(Screen::Documents)
            }
            (Screen::Documents, Touch::TakeTicket { scan_first }) => {
                let (Some(service), Some(priority)) = (self.service.clone(), self.priority) else {
                    return Vec::new();
                };
                let effect = Effect::Issue {
                    service,
                    priority: priority != PriorityReason::None,
                    language: self.language,
                };
                self.busy = true;
                self.last_retry = now;
                self.pending = Some(Pending::Issue {
                    scan_first,
                    effect: effect.clone(),
                });
                vec![effect]
            }
            (Screen::Scan, Touch::ScanPage) => {
                let Some(t) = &self.ticket else {
                    return Vec::new();
                };
                let effect = Effect::Scan {
                    token: t.token.clone(),
                };
                self.busy = true;
                self.last_retry = now;
                self.pending = Some(Pending::Scan(effect.clone()));
                vec![effect]
            }
            (Screen::Scan, Touch::ScansDone | Touch::Back) => self.go(Screen::Ticket),
            (Screen::Ticket, Touch::ScanPage) if self.ticket.is_some() => self.go(Screen::Scan),
            (Screen::Ticket | Screen::Thanks, Touch::Restart) => self.reset(now),
            (Screen::Feedback, Touch::Rate(r)) => {
                self.rating = Some(r);
                self.rated_service = None;
                let has_services = self
                    .catalogue
                    .as_ref()
                    .is_some_and(|c| !c.services.is_empty());
                if has_services {
                    self.go(Screen::FeedbackService)
                } else {
                    self.go(Screen::FeedbackReason)
                }
            }
            (Screen::FeedbackService, Touch::VotedFor(letter)) => {
                let known = letter.as_ref().is_none_or(|l| {
                    self.catalogue
                        .as_ref()
                        .is_some_and(|c| c.services.iter().any(|s| &s.letter == l))
                });
                if !known {
                    return Vec::new();
                }
                self.rated_service = letter;
                self.go(Screen::FeedbackReason)
            }
            (Screen::FeedbackReason, Touch::Reason(reason)) => {
                let Some(rating) = self.rating else {
                    return Vec::new();
                };
                let effect = Effect::SendFeedback {
                    rating,
                    reason,
                    language: self.language,
                    service: self.rated_service.clone(),
                };
                self.busy = true;
                self.last_retry = now;
                self.pending = Some(Pending::Feedback(effect.clone()));
                vec![effect]
            }
            (screen, Touch::Back) => match screen {
                Screen::Language => Vec::new(),
                Screen::Profile => self.reset(now),
                Screen::Appointment => self.go(Screen::Profile),
                Screen::Service => self.go(Screen::Profile),
                Screen::Priority => self.go(Screen::Service),
                Screen::Documents => self.go(Screen::Priority),
                // The ticket exists: "back" from it would only lose the number. Start again.
                Screen::Ticket | Screen::Thanks => self.reset(now),
                Screen::Scan => self.go(Screen::Ticket),
                Screen::Feedback => self.go(Screen::Profile),
                Screen::FeedbackService => self.go(Screen::Feedback),
                Screen::FeedbackReason => match &self.catalogue {
                    Some(c) if !c.services.is_empty() => self.go(Screen::FeedbackService),
                    _ => self.go(Screen::Feedback),
                },
            },
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Document, Names, Service};

    fn names(s: &str) -> Names {
        Names {
            ar: format!("ar {s}"),
            zgh: format!("zgh {s}"),
            fr: format!("fr {s}"),
            en: format!("en {s}"),
        }
    }

    fn catalogue() -> Catalogue {
        let service = |letter: &str, docs: &[&str], open_now| Service {
            letter: letter.into(),
            names: names(letter),
            documents: docs
                .iter()
                .map(|d| Document {
                    id: (*d).into(),
                    names: names(d),
                })
                .collect(),
            open_now,
        };
        Catalogue {
            commune: names("commune"),
            services: vec![
                service("A", &["cin", "passport"], true),
                service("B", &["cin", "family-book", "pension-letters"], true),
                service("C", &["birth-notice", "parents-ids"], true),
                service("D", &["cin"], false),
            ],
        }
    }

    fn ticket(scans: bool) -> IssuedTicket {
        IssuedTicket {
            number: "B-004".into(),
            service: "B".into(),
            token: "0123456789abcdef0123456789abcdef".into(),
            ahead: 3,
            estimated_wait_s: 1800,
            receipt: if scans { None } else { Some("printed".into()) },
            arrival: None,
        }
    }

    const S: Duration = Duration::from_secs(1);

    fn tap(f: &mut Flow, t: Touch, at: Duration) -> Vec<Effect> {
        f.handle(Input::Touch(t), at)
    }

    fn to_documents(f: &mut Flow) {
        f.handle(Input::Catalogue(catalogue()), S);
        tap(f, Touch::Language(Language::Tamazight), S);
        tap(f, Touch::Profile(Profile::Returnee), S);
        tap(f, Touch::Service("B".into()), S);
        tap(f, Touch::Priority(PriorityReason::Elderly), S);
        assert_eq!(f.screen, Screen::Documents);
    }

    #[test]
    fn the_visitor_path_ends_with_a_ticket_for_the_chosen_service() {
        let mut f = Flow::new(Duration::ZERO);
        assert_eq!(f.start(), [Effect::LoadCatalogue, Effect::ReadPrinter]);
        to_documents(&mut f);
        let e = tap(&mut f, Touch::TakeTicket { scan_first: false }, S);
        assert_eq!(
            e,
            [Effect::Issue {
                service: "B".into(),
                priority: true,
                language: Language::Tamazight
            }]
        );
        assert!(f.busy);
        // A second touch while issuing does not issue twice.
        assert!(tap(&mut f, Touch::TakeTicket { scan_first: false }, S).is_empty());
        let e = f.handle(Input::Issued(ticket(false)), S);
        assert_eq!(f.screen, Screen::Ticket);
        assert_eq!(
            e,
            [Effect::Speak {
                screen: Screen::Ticket,
                language: Language::Tamazight
            }]
        );
        assert_eq!(f.receipt_note(), ReceiptNote::Printed);
        f.handle(Input::Printer(Printer::PaperOut), S);
        assert_eq!(f.receipt_note(), ReceiptNote::Failed);
    }

    #[test]
    fn every_screen_speaks_and_back_goes_one_step_back() {
        let mut f = Flow::new(Duration::ZERO);
        f.handle(Input::Catalogue(catalogue()), S);
        let e = tap(&mut f, Touch::Language(Language::French), S);
        assert!(e.contains(&Effect::Speak {
            screen: Screen::Profile,
            language: Language::French
        }));
        tap(&mut f, Touch::Profile(Profile::Foreigner), S);
        tap(&mut f, Touch::Service("C".into()), S);
        for expected in [Screen::Service, Screen::Profile] {
            tap(&mut f, Touch::Back, S);
            assert_eq!(f.screen, expected);
        }
        tap(&mut f, Touch::Back, S);
        assert_eq!(f.screen, Screen::Language);
        assert_eq!(
            tap(&mut f, Touch::Listen, S),
            [Effect::Speak {
                screen: Screen::Language,
                language: Language::Arabic
            }]
        );
    }

    #[test]
    fn a_profile_puts_its_usual_services_first_and_closed_services_cannot_be_chosen() {
        let mut f = Flow::new(Duration::ZERO);
        f.handle(Input::Catalogue(catalogue()), S);
        tap(&mut f, Touch::Language(Language::English), S);
        tap(&mut f, Touch::Profile(Profile::Foreigner), S);
        let order: Vec<(&str, bool)> = f
            .services()
            .iter()
            .map(|(s, u)| (s.letter.as_str(), *u))
            .collect();
        assert_eq!(
            order,
            [("A", true), ("C", true), ("B", false), ("D", false)]
        );
        assert!(tap(&mut f, Touch::Service("D".into()), S).is_empty());
        assert!(tap(&mut f, Touch::Service("Z".into()), S).is_empty());
        assert_eq!(f.screen, Screen::Service);
    }

    #[test]
    fn inactivity_forgets_the_visitor_but_keeps_the_catalogue() {
        let mut f = Flow::new(Duration::ZERO);
        to_documents(&mut f);
        assert!(f.handle(Input::Tick, S + INACTIVITY / 2).is_empty());
        let e = f.handle(Input::Tick, S + INACTIVITY);
        assert!(e.contains(&Effect::StopSpeaking));
        assert_eq!(f.screen, Screen::Language);
        assert_eq!(
            (f.service.as_deref(), f.profile, f.priority),
            (None, None, None)
        );
        assert!(f.catalogue.is_some());
        // The ticket screen waits longer, then forgets the ticket too.
        to_documents(&mut f);
        tap(&mut f, Touch::TakeTicket { scan_first: false }, S * 100);
        f.handle(Input::Issued(ticket(false)), S * 100);
        f.handle(Input::Tick, S * 100 + INACTIVITY);
        assert_eq!(f.screen, Screen::Ticket);
        f.handle(Input::Tick, S * 100 + TICKET_INACTIVITY);
        assert_eq!((f.screen, f.ticket.is_none()), (Screen::Language, true));
    }

    #[test]
    fn a_stopped_service_shows_one_moment_and_the_request_is_retried_until_it_answers() {
        let mut f = Flow::new(Duration::ZERO);
        to_documents(&mut f);
        let issue = tap(&mut f, Touch::TakeTicket { scan_first: false }, S);
        f.handle(Input::ServiceDown, S);
        assert!(f.one_moment);
        assert!(f.handle(Input::Tick, S + RETRY_EVERY / 2).is_empty());
        assert_eq!(f.handle(Input::Tick, S + RETRY_EVERY), issue);
        // Still down long past the inactivity limit: the visitor's ticket is not forgotten.
        f.handle(Input::ServiceDown, S + RETRY_EVERY);
        assert_eq!(f.handle(Input::Tick, S * 100), issue);
        f.handle(Input::Issued(ticket(false)), S * 101);
        assert!(!f.one_moment);
        assert_eq!(f.screen, Screen::Ticket);
    }

    #[test]
    fn scanning_first_issues_the_ticket_then_scans_onto_it() {
        let mut f = Flow::new(Duration::ZERO);
        to_documents(&mut f);
        tap(&mut f, Touch::TakeTicket { scan_first: true }, S);
        f.handle(Input::Issued(ticket(true)), S);
        assert_eq!(f.screen, Screen::Scan);
        assert_eq!(
            f.receipt_note(),
            ReceiptNote::Unknown,
            "no receipt field: unknown"
        );
        let e = tap(&mut f, Touch::ScanPage, S);
        assert_eq!(
            e,
            [Effect::Scan {
                token: "0123456789abcdef0123456789abcdef".into()
            }]
        );
        f.handle(Input::Scanned { id: 1 }, S);
        tap(&mut f, Touch::ScanPage, S);
        f.handle(
            Input::Refused {
                code: "scanner_busy".into(),
            },
            S,
        );
        assert_eq!(f.refusal.as_deref(), Some("scanner_busy"));
        tap(&mut f, Touch::ScansDone, S);
        assert_eq!((f.screen, f.scans.as_slice()), (Screen::Ticket, &[1][..]));
    }

    #[test]
    fn feedback_is_three_faces_an_optional_reason_and_thanks() {
        let mut f = Flow::new(Duration::ZERO);
        tap(&mut f, Touch::Language(Language::Arabic), S);
        tap(&mut f, Touch::GiveOpinion, S);
        tap(&mut f, Touch::Rate(Rating::Neutral), S);
        // No catalogue yet: no services to ask about.
        assert_eq!(f.screen, Screen::FeedbackReason);
        let e = tap(&mut f, Touch::Reason(Some(Reason::Waiting)), S);
        assert_eq!(
            e,
            [Effect::SendFeedback {
                rating: Rating::Neutral,
                reason: Some(Reason::Waiting),
                language: Language::Arabic,
                service: None,
            }]
        );
        f.handle(Input::FeedbackRecorded, S);
        assert_eq!(f.screen, Screen::Thanks);
        tap(&mut f, Touch::Restart, S);
        assert_eq!((f.screen, f.rating), (Screen::Language, None));
    }

    #[test]
    fn a_vote_may_say_which_service_it_was_for() {
        let mut f = Flow::new(Duration::ZERO);
        f.handle(Input::Catalogue(catalogue()), S);
        tap(&mut f, Touch::Language(Language::French), S);
        tap(&mut f, Touch::GiveOpinion, S);
        tap(&mut f, Touch::Rate(Rating::Good), S);
        assert_eq!(f.screen, Screen::FeedbackService);
        // A letter the office does not have is ignored; a closed service can still be rated.
        tap(&mut f, Touch::VotedFor(Some("Z".into())), S);
        assert_eq!(f.screen, Screen::FeedbackService);
        tap(&mut f, Touch::VotedFor(Some("D".into())), S);
        assert_eq!(f.screen, Screen::FeedbackReason);
        tap(&mut f, Touch::Back, S);
        assert_eq!(f.screen, Screen::FeedbackService);
        tap(&mut f, Touch::VotedFor(None), S);
        tap(&mut f, Touch::Back, S);
        tap(&mut f, Touch::VotedFor(Some("B".into())), S);
        let e = tap(&mut f, Touch::Reason(None), S);
        assert_eq!(
            e,
            [Effect::SendFeedback {
                rating: Rating::Good,
                reason: None,
                language: Language::French,
                service: Some("B".into()),
            }]
        );
        f.handle(Input::FeedbackRecorded, S);
        tap(&mut f, Touch::Restart, S);
        assert_eq!(f.rated_service, None, "the next visitor starts afresh");
    }

    #[test]
    fn an_appointment_checks_in_by_its_digits_or_by_the_reader() {
        let mut f = Flow::new(Duration::ZERO);
        f.handle(Input::Catalogue(catalogue()), S);
        tap(&mut f, Touch::Language(Language::French), S);
        tap(&mut f, Touch::HaveAppointment, S);
        assert_eq!(f.screen, Screen::Appointment);
        // Seven digits are not a code; the eighth is; a ninth is not taken; erase takes one back.
        for d in [1, 2, 3, 4, 5, 6, 7] {
            tap(&mut f, Touch::Digit(d), S);
        }
        assert!(tap(&mut f, Touch::CheckIn, S).is_empty());
        tap(&mut f, Touch::Digit(8), S);
        tap(&mut f, Touch::Digit(9), S);
        assert_eq!(f.code, "12345678");
        tap(&mut f, Touch::Erase, S);
        tap(&mut f, Touch::Digit(0), S);
        let effects = tap(&mut f, Touch::CheckIn, S);
        assert_eq!(
            effects,
            vec![Effect::CheckIn {
                code: "12345670".into(),
                language: Language::French
            }]
        );
        assert!(f.busy);
        // Another day's appointment: the reason, on the same screen, the code kept to fix.
        f.handle(
            Input::Refused {
                code: "appointment_other_day".into(),
            },
            S,
        );
        assert_eq!(f.screen, Screen::Appointment);
        assert_eq!(f.refusal.as_deref(), Some("appointment_other_day"));
        assert_eq!(f.code, "12345670");
        // The reader on the start screen checks in at once; the ticket follows.
        let mut f = Flow::new(Duration::ZERO);
        let effects = f.handle(Input::CodeRead(" ABCDEFGHIJKLMNOPQRSTUVWXYZ\n".into()), S);
        assert_eq!(
            effects,
            vec![Effect::CheckIn {
                code: "ABCDEFGHIJKLMNOPQRSTUVWXYZ".into(),
                language: Language::Arabic
            }]
        );
        let mut t = ticket(false);
        t.arrival = Some("late".into());
        f.handle(Input::Issued(t), S);
        assert_eq!(f.screen, Screen::Ticket);
        // Not while a ticket is on screen, and back from the keypad goes to the profiles.
        assert!(f.handle(Input::CodeRead("X".into()), S).is_empty());
        // Stray keys from a keyboard are not a slip: nothing is sent.
        let mut f = Flow::new(Duration::ZERO);
        for stray in ["x", "hello", "1234567", "ABCDEFGHIJKLMNOPQRSTUVWXY1"] {
            assert!(
                f.handle(Input::CodeRead(stray.into()), S).is_empty(),
                "{stray}"
            );
        }
        assert!(!f.handle(Input::CodeRead("1234 5678".into()), S).is_empty());
        let mut f = Flow::new(Duration::ZERO);
        tap(&mut f, Touch::Language(Language::Arabic), S);
        tap(&mut f, Touch::HaveAppointment, S);
        tap(&mut f, Touch::Digit(4), S);
        tap(&mut f, Touch::Back, S);
        assert_eq!(f.screen, Screen::Profile);
        tap(&mut f, Touch::HaveAppointment, S);
        assert_eq!(f.code, "", "a new visit to the keypad starts empty");
    }

    #[test]
    fn a_refused_ticket_stays_on_documents_with_the_reason() {
        let mut f = Flow::new(Duration::ZERO);
        to_documents(&mut f);
        tap(&mut f, Touch::TakeTicket { scan_first: false }, S);
        f.handle(
            Input::Refused {
                code: "service_closed".into(),
            },
            S,
        );
        assert_eq!(f.screen, Screen::Documents);
        assert!(!f.busy);
        assert_eq!(f.refusal.as_deref(), Some("service_closed"));
    }
}
