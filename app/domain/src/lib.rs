//! The BAOM's domain rules, free of I/O.
//!
//! This crate decides; it never stores, sends or waits. Callers give it the catalogue of the
//! commune (services, desks, opening hours), the state it returned last time and the current
//! time, and it answers with an event to record or an error to show. Everything here is
//! deterministic and is tested directly, property tests included (see `queue::tests`).
//!
//! Architecture invariant: no dependency of this crate does I/O, async or randomness. The clock
//! and any random values (ticket tokens) come in as arguments.

pub mod activities;
pub mod appointments;
pub mod catalogue;
pub mod changes;
pub mod clock;
pub mod diaspora;
pub mod directory;
pub mod dossier;
pub mod feedback;
pub mod figures;
pub mod language;
pub mod names;
pub mod papers;
pub mod printer;
pub mod projects;
pub mod queue;
pub mod reference;
pub mod script;
pub mod staff;

pub use catalogue::{
    CallOrder, CallRule, Catalogue, Desk, DeskNo, Document, Letter, Names, OpenHours, QueueRules,
    Service,
};
pub use language::Language;
