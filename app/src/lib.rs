//! The BAOM service: the one process that owns the office's data and devices.
//!
//! It reads the commune's configuration (`baom-config`), keeps the queue on disk ([`store`])
//! through a single writer ([`queue_service`]) that asks the pure queue engine (`baom-domain`)
//! what each command does, keeps staff accounts ([`accounts`]) and the dossiers ([`dossiers`])
//! behind the vault ([`vault`]), drives the printer ([`printer`]) and the scanner ([`scanner`]),
//! and serves the kiosk's Unix socket and the LAN's pages and API ([`web`], the only module that
//! knows HTTP). [`server`] wires them together and shuts them down cleanly.

pub mod accounts;
pub mod activities;
pub mod appointments;
pub mod backup;
pub mod clock;
pub mod demo_year;
pub mod diaspora;
pub mod directory;
pub mod dossiers;
pub mod feedback;
pub mod figures;
pub mod health;
pub mod i18n;
pub mod office;
pub mod papers;
pub mod pooling;
pub mod printer;
pub mod projects;
pub mod queue_service;
pub mod reference;
pub mod scanner;
pub mod server;
pub mod speech;
pub mod staff;
pub mod store;
pub mod systemd;
pub mod team;
pub mod tickets;
pub mod tls;
pub mod token;
pub mod updates;
pub mod vault;
pub mod versions;
pub mod web;
