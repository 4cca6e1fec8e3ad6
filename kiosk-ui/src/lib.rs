//! `baom-kiosk`: the lobby's touch kiosk, in Slint. A visitor chooses a language, says who they
//! are and why they came, asks for priority if they need it, sees the papers to have ready, may
//! have them scanned, and takes a ticket; later they may rate their visit with three faces.
//!
//! The kiosk is an untrusted client of the service: it talks only to the kiosk socket
//! ([`client`]) and holds no personal data. The visitor's path is a pure state machine
//! ([`flow`]); what each state shows is pure too ([`view`], [`texts`]); [`kiosk`] wires them to the
//! Slint window (`ui/`), the socket, and the spoken prompts ([`audio`]). [`headless`] renders
//! without a screen, for [`snapshot`]s, the tests and the bench.

pub mod audio;
pub mod client;
pub mod flow;
pub mod headless;
pub mod images;
pub mod kiosk;
pub mod snapshot;
pub mod texts;
pub mod view;

slint::include_modules!();
