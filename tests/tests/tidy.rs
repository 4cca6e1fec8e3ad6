//! The layout's rules, checked on every run of the tests (as rust-analyzer keeps its `tidy`
//! test): a rule that only lives in a document is broken by the first hurried change.
//!
//! 1. Only `web/` (and the server's wiring, `server.rs`) knows HTTP: no `axum`, `maud`,
//!    `ApiError`, `AppState`… anywhere else in the service, nor in the library crates.
//! 2. No SQL, blocking-thread plumbing or audit appends under `web/`: handlers call the service
//!    modules, which own their databases and their audit lines.
//! 3. The pure crates (`baom-domain`, `baom-receipt`) depend on no crate that does I/O, async
//!    or randomness, and their code reads no clock and touches no file, socket or process.
//! 4. Every crate's `lib.rs` (or a binary's `main.rs`) opens with a `//!` saying what it is for.
//! 5. The service reads the time only through its clock (`app/src/clock.rs`), which never dates
//!    anything before the last thing recorded: no `Timestamp::now()` elsewhere in `app/src`.
//!
//! Each rule is a function over file texts, so the test of the checker itself (at the bottom)
//! shows each one failing on a deliberate breach.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A source file: its path from the workspace root, and its text.
struct Source {
    path: String,
    text: String,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_owned()
}

fn rust_files(root: &Path, dir: &str) -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root.join(dir), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| Source {
            path: p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned(),
            text: std::fs::read_to_string(&p).unwrap_or_default(),
        })
        .collect()
}

/// The code of a file without its comments and its `#[cfg(test)]` module (tests may do what
/// the code may not: open a file, read the clock).
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string (an URL) is rare here; the rules' words are not in URLs.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the word `name` appears as a whole identifier.
fn uses(code: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(name).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

const HTTP_NAMES: [&str; 11] = [
    "axum",
    "axum_extra",
    "axum_server",
    "maud",
    "hyper",
    "ApiError",
    "AppState",
    "PageError",
    "IntoResponse",
    "StatusCode",
    "html!",
];

/// Rule 1: files outside `app/src/web/` and `app/src/server.rs` that name HTTP.
fn http_outside_web(files: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        if f.path.starts_with("app/src/web/") || f.path == "app/src/server.rs" {
            continue;
        }
        let code = code(&f.text);
        for name in HTTP_NAMES {
            let hit = if let Some(mac) = name.strip_suffix('!') {
                code.contains(&format!("{mac}!"))
            } else {
                uses(&code, name)
            };
            if hit {
                found.push(format!("{}: names {name} (HTTP belongs in web/)", f.path));
            }
        }
    }
    found
}

/// Rule 2: SQL, blocking threads and audit appends under `app/src/web/`.
fn storage_in_web(files: &[Source]) -> Vec<String> {
    let sql = [
        "\"SELECT ",
        "\"INSERT ",
        "\"UPDATE ",
        "\"DELETE ",
        "\"CREATE ",
        "PRAGMA ",
    ];
    let names = [
        "rusqlite",
        "spawn_blocking",
        "append",
        "log_event",
        "act",
        "Connection",
    ];
    let mut found = Vec::new();
    for f in files.iter().filter(|f| f.path.starts_with("app/src/web/")) {
        let code = code(&f.text);
        for s in sql {
            if code.contains(s) {
                found.push(format!("{}: SQL ({s:?}) in a handler", f.path));
            }
        }
        for name in names {
            let hit = match name {
                // Method calls: `.act(`, `.append(`, `.log_event(`.
                "act" | "append" | "log_event" => {
                    code.contains(&format!(".{name}(")) || code.contains(&format!("::{name}("))
                }
                _ => uses(&code, name),
            };
            if hit {
                found.push(format!(
                    "{}: {name} in a handler (call a service module)",
                    f.path
                ));
            }
        }
    }
    found
}

/// Crates that do I/O, async or randomness, which a pure crate may not depend on.
const IO_CRATES: [&str; 20] = [
    "tokio",
    "mio",
    "async-std",
    "futures-io",
    "rusqlite",
    "libsqlite3-sys",
    "getrandom",
    "rand",
    "rand_core",
    "hyper",
    "axum",
    "reqwest",
    "socket2",
    "libc",
    "nix",
    "openssl",
    "openssl-sys",
    "ring",
    "rustls",
    "tempfile",
];

/// Rule 3a: I/O crates in `tree` (the `cargo tree --prefix none` of a pure crate).
fn io_dependencies(krate: &str, tree: &str) -> Vec<String> {
    tree.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| IO_CRATES.contains(name))
        .map(|name| format!("{krate} depends on {name}, which does I/O, async or randomness"))
        .collect()
}

/// Rule 3b: a pure crate's code reading the clock or touching the system.
fn io_in_pure_code(files: &[Source]) -> Vec<String> {
    let calls = [
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "std::io::stdin",
        "thread::sleep",
        "Timestamp::now",
        "Zoned::now",
        "SystemTime",
        "Instant::now",
        "getrandom",
    ];
    let mut found = Vec::new();
    for f in files {
        let code = code(&f.text);
        for call in calls {
            if code.contains(call) {
                found.push(format!("{}: {call} in a pure crate", f.path));
            }
        }
    }
    found
}

/// Rule 4: a crate root (`lib.rs`, or `main.rs` of a binary-only crate) without its `//!`.
fn undocumented_crates(roots: &[Source]) -> Vec<String> {
    roots
        .iter()
        .filter(|f| !f.text.trim_start().starts_with("//!"))
        .map(|f| {
            format!(
                "{}: does not open with `//!` saying what the crate is for",
                f.path
            )
        })
        .collect()
}

/// Rule 5: the system's clock read outside the service's clock.
fn clock_outside_clock(files: &[Source]) -> Vec<String> {
    files
        .iter()
        .filter(|f| f.path.starts_with("app/src/") && f.path != "app/src/clock.rs")
        .filter(|f| {
            let code = code(&f.text);
            code.contains("Timestamp::now") || code.contains("Zoned::now")
        })
        .map(|f| {
            format!(
                "{}: reads the system's clock (use crate::clock::now, which keeps time in order)",
                f.path
            )
        })
        .collect()
}

fn cargo_tree(krate: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "-p", krate, "-e", "normal", "--prefix", "none"])
        .args(["--offline", "--locked"])
        .current_dir(workspace())
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {krate}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_layout_holds() {
    let root = workspace();
    let mut service = rust_files(&root, "app/src");
    for library in [
        "app/config/src",
        "app/keys/src",
        "app/domain/src",
        "app/receipt/src",
    ] {
        service.extend(rust_files(&root, library));
    }
    let pure: Vec<Source> = ["app/domain/src", "app/receipt/src"]
        .iter()
        .flat_map(|d| rust_files(&root, d))
        .filter(|f| !f.path.ends_with("/tests.rs"))
        .collect();
    let roots: Vec<Source> = [
        "app/src/lib.rs",
        "app/config/src/lib.rs",
        "app/keys/src/lib.rs",
        "app/domain/src/lib.rs",
        "app/receipt/src/lib.rs",
        "kiosk-ui/src/lib.rs",
        "provisioning/src/main.rs",
        "tests/src/lib.rs",
    ]
    .iter()
    .map(|p| Source {
        path: (*p).to_owned(),
        text: std::fs::read_to_string(root.join(p)).unwrap_or_default(),
    })
    .collect();

    let mut broken = Vec::new();
    broken.extend(http_outside_web(&service));
    broken.extend(storage_in_web(&service));
    for krate in ["baom-domain", "baom-receipt"] {
        broken.extend(io_dependencies(krate, &cargo_tree(krate)));
    }
    broken.extend(io_in_pure_code(&pure));
    broken.extend(undocumented_crates(&roots));
    broken.extend(clock_outside_clock(&service));
    assert!(
        broken.is_empty(),
        "the layout's rules (ARCHITECTURE.md) are broken:\n{}",
        broken.join("\n")
    );
}

/// The checker itself: each rule catches a deliberate breach, and lets the right thing pass.
#[test]
fn each_rule_catches_its_breach() {
    let file = |path: &str, text: &str| Source {
        path: path.into(),
        text: text.into(),
    };
    // 1. HTTP outside web/.
    let breach = [file(
        "app/src/scanner.rs",
        "use axum::Json;\nfn f() -> Result<(), ApiError> { todo() }",
    )];
    let found = http_outside_web(&breach);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("app/src/scanner.rs: names axum"));
    assert!(http_outside_web(&[file("app/src/web/api.rs", "use axum::Json;")]).is_empty());
    assert!(http_outside_web(&[file("app/src/server.rs", "use axum_server::Handle;")]).is_empty());
    // A word that only contains a name is not the name; comments do not count.
    assert!(
        http_outside_web(&[file(
            "app/src/store/mod.rs",
            "let axumish = 1; // axum is for web/"
        )])
        .is_empty()
    );
    assert_eq!(
        http_outside_web(&[file("app/config/src/lib.rs", "fn p() { maud::html!{} }")]).len(),
        2
    );

    // 2. SQL, spawn_blocking and audit appends in a handler.
    let breach = [file(
        "app/src/web/pages/dossiers/supervision.rs",
        "db.conn.prepare(\"SELECT count(*) FROM people\")?;\naudit::append(&db.conn, who, &e)?;\ntokio::task::spawn_blocking(f);",
    )];
    let found = storage_in_web(&breach);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        storage_in_web(&[file(
            "app/src/web/api.rs",
            "state.queue.execute(command, None).await?;"
        )])
        .is_empty()
    );
    assert!(
        storage_in_web(&[file("app/src/dossiers/db.rs", "audit::append(&tx, a, l)?;")]).is_empty()
    );
    assert_eq!(
        storage_in_web(&[file("app/src/web/x.rs", "db.log_event(&who, \"x\", \"\")")]).len(),
        1
    );

    // 3. I/O in a pure crate, by dependency and by code.
    let tree = "baom-domain v0.1.0 (/work)\njiff v1.0.2\ntokio v1.48.0\nserde v1.0.229\n";
    assert_eq!(
        io_dependencies("baom-domain", tree),
        vec!["baom-domain depends on tokio, which does I/O, async or randomness".to_owned()]
    );
    assert!(io_dependencies("baom-domain", "jiff v1\nserde v1\n").is_empty());
    let breach = [file(
        "app/domain/src/queue/mod.rs",
        "let now = jiff::Timestamp::now();\nstd::fs::read(\"x\");",
    )];
    assert_eq!(io_in_pure_code(&breach).len(), 2);
    assert!(
        io_in_pure_code(&[file(
            "app/domain/src/queue/mod.rs",
            "fn f() {}\n#[cfg(test)]\nmod tests {\n fn t() { jiff::Timestamp::now(); }\n}"
        )])
        .is_empty()
    );

    // 5. The system's clock outside the service's clock.
    assert_eq!(
        clock_outside_clock(&[file(
            "app/src/queue_service.rs",
            "let now = jiff::Timestamp::now();"
        )])
        .len(),
        1
    );
    assert!(
        clock_outside_clock(&[
            file("app/src/clock.rs", "let host = Timestamp::now();"),
            file("app/src/web/api.rs", "let now = crate::clock::now();"),
            file(
                "app/domain/src/clock.rs",
                "// Timestamp::now is not read here"
            ),
        ])
        .is_empty()
    );

    // 4. A crate root without its doc comment.
    let found = undocumented_crates(&[
        file("app/keys/src/lib.rs", "mod wrap;\n"),
        file("app/domain/src/lib.rs", "//! The rules.\nmod queue;\n"),
    ]);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("app/keys/src/lib.rs"));
}
