//! The office's figures, computed, never typed: the register of visits ([`register`]), the
//! period a figure covers ([`period`]), tables of counts and the small-cell rule that decides
//! what of them may be shown ([`table`]), the tickets' counts and times as tallies that add up
//! month by month ([`tickets`]), the figures of a period ([`compute`]), and a
//! commune's activity drawn from a seed for the demo, the tests and the benchmark
//! ([`sample`]).
//!
//! Everything here is counts and times over rows the service read; nothing is stored and no
//! clock is read (today comes in as an argument).

pub mod census;
pub mod compute;
pub mod period;
pub mod register;
pub mod sample;
pub mod table;
pub mod tickets;

pub use compute::{ActivityFacts, DiasporaFacts, Facts, Figures, ProjectFacts, Scope, compute};
pub use period::{Period, PeriodError};
pub use table::{SMALL, Shown, ShownTable, Table};

#[cfg(test)]
mod tests;
