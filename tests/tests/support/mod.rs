//! Shared by test files: the browser (`browser.rs`), and the box under QEMU (`vm.rs`).
#![allow(dead_code)]
pub mod browser;
pub mod vm;
