//! Shared by test files: the browser (`browser.rs`), the box under QEMU (`vm.rs`), and a
//! stand-in for the update server (`update_server.rs`).
#![allow(dead_code)]
pub mod browser;
pub mod update_server;
pub mod vm;
