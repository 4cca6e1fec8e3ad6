//! The pooling format: how a commune's figures leave its box for the province and the region.
//!
//! A **batch** ([`Batch`]) is one period's figures of one commune, shaped as a DHIS2 data value
//! set: a header (format version, batch id, the commune's code as DHIS2's org unit, the period as
//! DHIS2 names it, a hash of the list of figure codes, the suppression rule, the row count) and
//! rows of `dataElement, period, orgUnit, categoryOptionCombo, value` with their category options
//! spelt out. Counts and sums only: a province adds communes' values up (waits and the days to
//! close a case come as counts in bands, never as medians). Cells that the box hides on its pages
//! (1 to 4, and the second cell that keeps them from being worked out) are rows with no value and
//! a `suppressed` mark, exactly as in the exports.
//!
//! A **file** ([`file`]) is a batch signed by the box's Ed25519 key: JSON whose `signed` member
//! is kept byte for byte, so what was signed is what is read. [`file::open`] refuses a truncated
//! file, a flipped byte, another format version, a missing or wrong signature and a batch that
//! does not add up, each with its own error.
//!
//! **Idempotent by design**: a batch is identified by its id and the SHA-256 of its file. The same
//! file again changes nothing; another file with an id already seen is refused; a correction is a
//! new batch that names the one it `replaces`.
//!
//! [`merge`] adds many communes' batches into province and region tables (a cell any commune hid
//! stays hidden, and the small-cell rule runs again on the sums); [`postgres`] is the SQL schema
//! and statements that the box's push and the province's tool both use.
//!
//! Architecture invariant: no I/O, no clock, no randomness: the batch id, the time and the key
//! are given. The one exception is [`client`], behind the feature of that name: the PostgreSQL
//! client that the box's push and the province's tool share, so that both load alike.

#[cfg(feature = "client")]
pub mod client;
pub mod file;
pub mod format;
pub mod merge;
pub mod postgres;

pub use file::{PoolError, Signed, open, sign};
pub use format::{Batch, DataValue, FIGURES, FORMAT, LISTS, codes_hash, hash_of, list_of};
