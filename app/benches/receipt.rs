//! Receipt build time and size: the pure layout (shaping, drawing, QR, ESC/POS encoding) of the
//! demo commune's receipts, as the print queue builds them. Targets (issue 4), for an 80 mm
//! Arabic receipt: ≤ 5 ms to build, ≤ 32 KB of ESC/POS.
//!
//! `cargo bench -p baom --bench receipt`

use baom_config as config;
use baom_domain::language::Language;
use baom_domain::queue::{Estimate, Ticket, TicketId, TicketNumber, TicketState};
use std::time::{Duration, Instant};

fn main() {
    let mut settings = config::parse(std::path::Path::new("demo.toml"), config::DEMO)
        .expect("the demo configuration");
    // Service B has the most documents to bring: the longest receipt.
    let letter = "B".parse().expect("letter");
    let token = baom::token::TokenKey::from_bytes([42; 32])
        .issue()
        .expect("token");
    let estimate = Estimate {
        ahead: 12,
        wait_secs: 95 * 60,
    };
    println!(
        "| receipt | build, wall (median) | build, wall (p99) | build, CPU (median) | ESC/POS size |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for (paper, mm) in [
        (baom_receipt::Paper::Mm80, 80),
        (baom_receipt::Paper::Mm58, 58),
    ] {
        settings.printer.paper = paper;
        for language in Language::ALL {
            let ticket = Ticket {
                id: TicketId(1),
                day: jiff::civil::date(2026, 11, 24),
                number: TicketNumber { letter, seq: 123 },
                service: letter,
                priority: false,
                appointment: None,
                language,
                issued_at: jiff::Timestamp::now(),
                state: TicketState::Waiting,
                desk: None,
                calls: 0,
                passed: 0,
                called_at: None,
                started_at: None,
                finished_at: None,
            };
            let build = || {
                baom::printer::receipt_for(
                    &settings,
                    &settings.catalogue,
                    &ticket,
                    &token,
                    estimate,
                )
                .expect("layout")
                .escpos()
            };
            // Warm up (the first call parses the fonts once per process).
            let size = build().len();
            let (mut times, mut cpu): (Vec<Duration>, Vec<Duration>) = (0..300)
                .map(|_| {
                    let (start, start_cpu) = (Instant::now(), thread_cpu());
                    std::hint::black_box(build());
                    (start.elapsed(), thread_cpu() - start_cpu)
                })
                .unzip();
            times.sort();
            cpu.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "| {mm} mm {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.1} KB ({size} bytes) |",
                language.code(),
                ms(times[times.len() / 2]),
                ms(times[times.len() * 99 / 100]),
                ms(cpu[cpu.len() / 2]),
                size as f64 / 1024.0
            );
        }
    }
}

/// CPU time of this thread: the work itself, whatever else the machine runs.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}
