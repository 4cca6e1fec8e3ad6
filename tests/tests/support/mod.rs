//! Shared by the browser tests.
#![allow(dead_code)]
pub mod browser;
