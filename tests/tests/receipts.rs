//! Receipts against the real binary, checked by tools this project did not write: `emupos`
//! decodes the printed bytes, `zbarimg` reads the QR code, and a TCP peer on 127.0.0.1 plays a
//! network printer that runs out of paper and goes away.

use baom_e2e::{Baom, emupos_decode, get, office_config, post, rasters, wait_for, zbarimg};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn issue(baom: &Baom, service: &str, language: &str) -> Value {
    let r = post(
        &baom.kiosk(),
        "/v1/tickets",
        &json!({"service": service, "priority": false, "language": language}),
    )
    .expect("issue");
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

#[test]
fn receipts_in_all_four_languages_decode_with_emupos() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let languages = ["ar", "zgh", "fr", "en"];
    let tickets: Vec<Value> = languages.iter().map(|l| issue(&baom, "B", l)).collect();
    for t in &tickets {
        assert_eq!(t["receipt"], "printed", "{t}");
    }
    let bytes = std::fs::read(dir.path().join("receipts.escpos")).expect("the demo's receipts");
    let work = tempfile::tempdir().expect("tempdir");
    let decoded = emupos_decode(&bytes, 576, work.path());
    assert_eq!(decoded.len(), 4, "one receipt per ticket");

    for ((language, t), receipt) in languages.iter().zip(&tickets).zip(&decoded) {
        let text = &receipt.text;
        let number = t["number"].as_str().expect("number");
        // Printer text comes back out as text: the number and the commune's Latin name.
        assert!(text.contains(number), "{language}: {text}");
        assert!(
            text.contains("Commune de Taliouine (démo)"),
            "{language}: {text}"
        );
        // And the drawn parts as images: the Arabic name and the QR code at least.
        let images = text.lines().filter(|l| l.starts_with("[image")).count();
        assert!(images >= 2, "{language}: {text}");
        assert!(
            text.contains("[image 200x198]"),
            "{language}: the QR code, 6 dots a module"
        );
        // The page emupos drew holds a QR code zbarimg reads: this ticket's token.
        assert_eq!(
            zbarimg(&receipt.png).as_deref(),
            t["token"].as_str(),
            "{language}"
        );
        match *language {
            "fr" => {
                assert!(text.contains("Votre numéro"), "{text}");
                assert!(text.contains("Retraites et droits"), "{text}");
                assert!(text.contains("- Livret de famille"), "{text}");
                assert!(text.contains("aucune donnée personnelle"), "{text}");
            }
            "en" => {
                assert!(text.contains("Your number"), "{text}");
                assert!(text.contains("Documents to bring:"), "{text}");
                assert!(text.contains("- Family record book"), "{text}");
            }
            // Arabic and Tifinagh are images: no French or English words in their dumps.
            _ => {
                assert!(!text.contains("Votre") && !text.contains("Your"), "{text}");
                assert!(images >= 10, "{language}: every line drawn: {text}");
            }
        }
    }
    // Nothing personal: the receipts are the numbers, the office's words and the tokens.
    let all: String = decoded.iter().map(|d| d.text.as_str()).collect();
    assert!(!all.contains("priority"));
}

#[test]
fn the_printed_qr_code_opens_the_ticket_and_an_altered_token_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let api = baom.api();
    let issued = issue(&baom, "A", "fr");
    let bytes = std::fs::read(dir.path().join("receipts.escpos")).expect("receipts");
    // Cut the QR code out of the printed bytes: the square raster image.
    let qr = rasters(&bytes)
        .into_iter()
        .find(|r| r.width.abs_diff(r.height) <= 8 && r.width >= 100)
        .expect("a square raster: the QR code");
    let image = dir.path().join("qr.pgm");
    std::fs::write(&image, qr.to_pgm(16)).expect("write pgm");
    let token = zbarimg(&image).expect("zbarimg reads the printed QR code");
    assert_eq!(Some(token.as_str()), issued["token"].as_str());

    // The officer's barcode reader sends it to the LAN API; the kiosk can read it back too.
    let r = get(&api, &format!("/api/v1/tickets/by-token/{token}")).expect("by token");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["number"], "A-001");
    assert_eq!(r.json()["receipt"], "printed");
    let lower = token.to_lowercase();
    let r = get(&api, &format!("/api/v1/tickets/by-token/{lower}")).expect("by token");
    assert_eq!(
        r.status, 200,
        "a reader with Caps Lock on still opens the visit"
    );

    // Any flipped byte of the token is refused, with a stable code, on both sockets.
    for i in 0..token.len() {
        let mut altered = token.clone().into_bytes();
        altered[i] = if altered[i] == b'Q' { b'R' } else { b'Q' };
        let altered = String::from_utf8(altered).expect("ascii");
        let r = get(&api, &format!("/api/v1/tickets/by-token/{altered}")).expect("answer");
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "invalid_token"),
            "{altered}"
        );
    }
    let mut flipped = token.clone().into_bytes();
    flipped[0] ^= 0x01;
    let flipped = String::from_utf8_lossy(&flipped).into_owned();
    let r = get(&baom.kiosk(), &format!("/v1/tickets/{flipped}")).expect("answer");
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_token"));

    // The LAN preview of that receipt is a PNG zbarimg reads too.
    let png = get(&api, "/api/v1/tickets/1/receipt.png").expect("png");
    assert_eq!(png.status, 200);
    assert!(
        png.headers
            .to_ascii_lowercase()
            .contains("content-type: image/png")
    );
    let preview = dir.path().join("preview.png");
    std::fs::write(&preview, &png.body).expect("write png");
    assert_eq!(zbarimg(&preview), Some(token));
    let r = get(&api, "/api/v1/tickets/99/receipt.png").expect("answer");
    assert_eq!((r.status, r.code().as_str()), (404, "unknown_ticket"));
}

/// A network receipt printer on 127.0.0.1: answers `DLE EOT` with its status, then takes the
/// receipt's bytes. Out of paper, it answers "paper end" and the service must not send.
struct FakePrinter {
    addr: SocketAddr,
    paper_out: Arc<AtomicU8>,
    received: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakePrinter {
    fn start(addr: SocketAddr, paper_out: bool, received: Arc<Mutex<Vec<u8>>>) -> FakePrinter {
        let listener = TcpListener::bind(addr).expect("bind the printer's port");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let paper = Arc::new(AtomicU8::new(paper_out as u8));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, r, s) = (paper.clone(), received.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => serve(conn, p.load(Ordering::SeqCst) == 1, &r),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        FakePrinter {
            addr,
            paper_out: paper,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// Unplugged: the port closes.
    fn go_away(mut self) -> Arc<Mutex<Vec<u8>>> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("printer thread");
        }
        self.received.clone()
    }
}

/// One connection: status requests (`DLE EOT n`) first, then data until the service closes.
fn serve(mut conn: std::net::TcpStream, paper_out: bool, received: &Mutex<Vec<u8>>) {
    conn.set_nonblocking(false).expect("blocking");
    conn.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let mut status_phase = true;
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        data.extend_from_slice(&buf[..n]);
        while status_phase && data.len() >= 3 && data[0] == 0x10 && data[1] == 0x04 {
            let answer = match (data[2], paper_out) {
                (1, false) => 0x12,
                (1, true) => 0x1a, // offline (it stopped)
                (2, false) => 0x12,
                (2, true) => 0x32, // stopped for paper end
                (4, false) => 0x12,
                (4, true) => 0x72, // paper end
                _ => 0x12,
            };
            let _ = conn.write_all(&[answer]);
            data.drain(..3);
        }
        if status_phase && !data.is_empty() && data[0] != 0x10 {
            status_phase = false;
        }
    }
    if !status_phase {
        received.lock().expect("lock").extend_from_slice(&data);
    }
}

fn network_config(data: &std::path::Path, printer: SocketAddr) -> String {
    let config = office_config(
        data,
        "127.0.0.1:0",
        2,
        r#"{ days = ["mon"], open = "00:00", close = "24:00" }"#,
    );
    let file = "kind = \"file\"\npath = \"receipts.escpos\"\n";
    assert!(config.contains(file));
    config.replace(
        file,
        &format!(
            "kind = \"network\"\naddress = \"{printer}\"\nconnect_timeout_ms = 500\nio_timeout_ms = 1000\nretry_max_s = 1\nstatus_interval_s = 1\npaper_width = 58\n"
        ),
    )
}

fn printer_state(baom: &Baom) -> String {
    get(&baom.kiosk(), "/v1/printer").expect("printer").json()["state"]
        .as_str()
        .expect("state")
        .to_owned()
}

fn receipt_of(baom: &Baom, token: &str) -> String {
    let r = get(&baom.kiosk(), &format!("/v1/tickets/{token}")).expect("ticket");
    assert_eq!(
        r.status, 200,
        "the ticket is there whatever the printer does"
    );
    r.json()["receipt"].as_str().expect("receipt").to_owned()
}

#[test]
fn a_printer_out_of_paper_then_gone_loses_nothing_and_printing_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let received = Arc::new(Mutex::new(Vec::new()));
    let printer = FakePrinter::start("127.0.0.1:0".parse().expect("addr"), true, received.clone());
    let addr = printer.addr;
    let config = dir.path().join("office.toml");
    std::fs::write(&config, network_config(dir.path(), addr)).expect("config");
    let baom = Baom::serve(&config, dir.path());
    let api = baom.api();

    // Out of paper: the ticket is issued at once, its receipt failed, the kiosk is told.
    let first = issue(&baom, "A", "ar");
    assert_eq!(first["number"], "A-001");
    assert_eq!(first["receipt"], "failed");
    assert_eq!(printer_state(&baom), "paper_out");
    let events = get(&api, "/api/v1/printer/events").expect("events").json();
    let events = events["events"].as_array().expect("events").clone();
    assert!(
        events.iter().any(|e| e["kind"] == "print_failed"
            && e["printer_state"] == "paper_out"
            && e["ticket"] == "A-001"),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "state_changed" && e["printer_state"] == "paper_out")
    );
    assert!(
        received.lock().expect("lock").is_empty(),
        "nothing sent to a printer out of paper"
    );

    // The printer goes away: offline, and tickets are still issued.
    let _ = printer.go_away();
    wait_for(Duration::from_secs(10), "offline", || {
        (printer_state(&baom) == "offline").then_some(())
    });
    let second = issue(&baom, "B", "fr");
    assert_eq!(second["number"], "B-001");
    assert_eq!(second["receipt"], "failed");
    let first_token = first["token"].as_str().expect("token").to_owned();
    let second_token = second["token"].as_str().expect("token").to_owned();
    assert_eq!(receipt_of(&baom, &first_token), "failed");

    // A restart in between loses nothing either: the receipts are queued on disk.
    assert!(baom.stop().success());
    let baom = Baom::serve(&config, dir.path());
    let api = baom.api();
    assert_eq!(receipt_of(&baom, &second_token), "failed");

    // The printer comes back with paper, on the same address: both receipts print, in order.
    let printer = FakePrinter::start(addr, false, received.clone());
    wait_for(Duration::from_secs(15), "both receipts printed", || {
        (receipt_of(&baom, &first_token) == "printed"
            && receipt_of(&baom, &second_token) == "printed")
            .then_some(())
    });
    assert_eq!(printer_state(&baom), "ready");
    let _ = printer.go_away();
    let bytes = received.lock().expect("lock").clone();
    let work = tempfile::tempdir().expect("tempdir");
    let decoded = emupos_decode(&bytes, 384, work.path());
    assert_eq!(decoded.len(), 2, "each receipt once");
    assert!(decoded[0].text.contains("A-001") && decoded[1].text.contains("B-001"));
    assert_eq!(
        zbarimg(&decoded[0].png).as_deref(),
        Some(first_token.as_str())
    );
    let events = get(&api, "/api/v1/printer/events?limit=100")
        .expect("events")
        .json();
    let events = events["events"].as_array().expect("events").clone();
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "printed_late" && e["ticket"] == "A-001"),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "state_changed" && e["printer_state"] == "offline")
    );
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "state_changed" && e["printer_state"] == "ready")
    );
    let r = get(&api, "/api/v1/printer/events?limit=0").expect("answer");
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_query"));
}

#[test]
fn a_ticket_called_before_the_printer_returns_is_not_printed_late() {
    let dir = tempfile::tempdir().expect("tempdir");
    let received = Arc::new(Mutex::new(Vec::new()));
    let printer = FakePrinter::start("127.0.0.1:0".parse().expect("addr"), true, received.clone());
    let addr = printer.addr;
    let config = dir.path().join("office.toml");
    std::fs::write(&config, network_config(dir.path(), addr)).expect("config");
    let baom = Baom::serve(&config, dir.path());
    let api = baom.api();
    let t = issue(&baom, "A", "en");
    assert_eq!(t["receipt"], "failed");
    let called = post(&api, "/api/v1/desks/1/call-next", &json!({})).expect("call");
    assert_eq!(called.json()["number"], "A-001");
    printer.paper_out.store(0, Ordering::SeqCst);
    let token = t["token"].as_str().expect("token").to_owned();
    wait_for(Duration::from_secs(10), "the receipt dropped", || {
        let events = get(&api, "/api/v1/printer/events").expect("events").json();
        events["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "dropped" && e["ticket"] == "A-001")
            .then_some(())
    });
    assert_eq!(receipt_of(&baom, &token), "failed");
    assert!(received.lock().expect("lock").is_empty());
}

#[test]
fn receipt_preview_renders_any_language_and_explains_bad_options() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("zgh.png");
    let escpos = dir.path().join("zgh.escpos");
    let out = std::process::Command::new(baom_e2e::baom_bin())
        .args([
            "receipt-preview",
            "--language",
            "zgh",
            "--paper",
            "58",
            "--out",
        ])
        .arg(&png)
        .arg("--escpos")
        .arg(&escpos)
        .output()
        .expect("run baom");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = zbarimg(&png).expect("the preview's QR code reads");
    assert_eq!(token.len(), 26);
    let decoded = emupos_decode(&std::fs::read(&escpos).expect("bytes"), 384, dir.path());
    assert_eq!(decoded.len(), 1);
    assert!(decoded[0].text.contains("A-012"));
    assert_eq!(zbarimg(&decoded[0].png), Some(token));
    for (args, says) in [
        (vec!["--language", "de"], "--language \"de\""),
        (vec!["--paper", "60"], "--paper 60: use 58 or 80"),
    ] {
        let out = std::process::Command::new(baom_e2e::baom_bin())
            .arg("receipt-preview")
            .args(&args)
            .arg("--out")
            .arg(dir.path().join("x.png"))
            .output()
            .expect("run baom");
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}"
        );
        assert!(!dir.path().join("x.png").exists());
    }
}

/// A USB printer is a device file (`/dev/usb/lp0`): here a path in a temporary directory. Absent
/// means unplugged: never created by the service, the receipt waits; plugged in, it prints.
#[test]
fn a_usb_printer_unplugged_then_plugged_in_prints_the_waiting_receipt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let device = dir.path().join("lp0");
    let config = office_config(
        dir.path(),
        "127.0.0.1:0",
        1,
        r#"{ days = ["mon"], open = "00:00", close = "24:00" }"#,
    )
    .replace(
        "kind = \"file\"\npath = \"receipts.escpos\"\n",
        &format!(
            "kind = \"usb\"\ndevice = \"{}\"\nretry_max_s = 1\nstatus_interval_s = 1\n",
            device.display()
        ),
    );
    let file = dir.path().join("office.toml");
    std::fs::write(&file, config).expect("config");
    let baom = Baom::serve(&file, dir.path());
    let t = issue(&baom, "C", "zgh");
    assert_eq!(t["receipt"], "failed");
    assert_eq!(printer_state(&baom), "offline");
    assert!(!device.exists(), "the service never creates a device file");
    std::fs::write(&device, b"").expect("plug in");
    let token = t["token"].as_str().expect("token").to_owned();
    wait_for(Duration::from_secs(10), "printed on the device", || {
        (receipt_of(&baom, &token) == "printed").then_some(())
    });
    let decoded = emupos_decode(
        &std::fs::read(&device).expect("device"),
        576,
        &dir.path().join("work"),
    );
    assert_eq!(decoded.len(), 1);
    assert!(decoded[0].text.contains("C-001"));
    assert_eq!(zbarimg(&decoded[0].png), Some(token));
    // A device file says nothing of paper: the state is unknown, not ready.
    assert_eq!(printer_state(&baom), "unknown");
}
