//! The BAOM service: the one process that owns the office's data and devices.
//!
//! It reads the commune's configuration ([`config`]), keeps the queue on disk ([`store`]) through
//! a single writer ([`queue_service`]) that asks the pure queue engine (`baom-domain`) what each
//! command does, and serves the kiosk's Unix socket and the LAN's JSON API ([`web`]).
//! [`server`] wires them together and shuts them down cleanly.

pub mod accounts;
pub mod backup;
pub mod config;
pub mod dossiers;
pub mod feedback;
pub mod i18n;
pub mod printer;
pub mod queue_service;
pub mod reference;
pub mod scanner;
pub mod server;
pub mod speech;
pub mod store;
pub mod systemd;
pub mod tls;
pub mod token;
pub mod vault;
pub mod web;
