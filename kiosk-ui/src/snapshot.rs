//! Renders every screen in every language, at each window size, to PNG files: the pictures in
//! `docs/kiosk/`, and the proof (in the tests) that no screen fails to render.
//!
//! The catalogue is the real service's; the ticket on the ticket and scan screens is a sample
//! (`<letter>-007`, a token of zeros), since a snapshot must not take a real number.

use crate::client::{Catalogue, IssuedTicket, Language, Printer};
use crate::flow::{Flow, PriorityReason, Profile, Screen};
use crate::kiosk::show;
use crate::view::view;
use crate::{App, headless, images};
use anyhow::{Context, Result};
use slint::ComponentHandle;
use slint::platform::software_renderer::MinimalSoftwareWindow;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The variants rendered: every screen, plus the "one moment" cover and a printer failure.
fn states(catalogue: &Catalogue, language: Language) -> Vec<(String, Flow)> {
    let mut base = Flow::new(Duration::ZERO);
    base.catalogue = Some(catalogue.clone());
    base.language = language;
    base.profile = Some(Profile::Returnee);
    let service = catalogue
        .services
        .get(1)
        .or(catalogue.services.first())
        .map(|s| s.letter.clone());
    base.service = service.clone();
    base.priority = Some(PriorityReason::Elderly);
    base.ticket = Some(IssuedTicket {
        number: format!("{}-007", service.as_deref().unwrap_or("A")),
        service: service.unwrap_or_default(),
        token: "0".repeat(32),
        ahead: 3,
        estimated_wait_s: 1500,
        receipt: Some("printed".into()),
        arrival: None,
    });
    // Half a code typed on the appointment's keypad.
    base.code = "2604".into();
    let mut out = Vec::new();
    for (n, screen) in Screen::ALL.into_iter().enumerate() {
        let mut f = base.clone();
        f.screen = screen;
        out.push((format!("{:02}-{}", n + 1, screen.id()), f));
    }
    let mut down = base.clone();
    down.screen = Screen::Documents;
    down.one_moment = true;
    let n = Screen::ALL.len();
    out.push((format!("{:02}-one-moment", n + 1), down));
    let mut failed = base.clone();
    failed.screen = Screen::Ticket;
    failed.printer = Printer::PaperOut;
    out.push((format!("{:02}-ticket-printer-failed", n + 2), failed));
    out
}

/// Renders all states at each size under `out/<W>x<H>/<language>/`; returns the files written.
pub fn render_all(
    app: &App,
    window: &MinimalSoftwareWindow,
    catalogue: &Catalogue,
    sizes: &[(u32, u32)],
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for &(w, h) in sizes {
        window.set_size(slint::PhysicalSize::new(w, h));
        for language in crate::client::START_ORDER {
            let dir = out.join(format!("{w}x{h}")).join(language.code());
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (name, flow) in states(catalogue, language) {
                if flow.screen == Screen::Language && language != crate::client::START_ORDER[0] {
                    continue; // the start screen is the same in every language: rendered once
                }
                let v = view(&flow);
                let qr = images::qr(&v.ticket_qr);
                show(app, &v, None, qr);
                let png = headless::snapshot_png(app.window())
                    .with_context(|| format!("screen {name} in {} at {w}x{h}", language.code()))?;
                let file = if flow.screen == Screen::Language {
                    out.join(format!("{w}x{h}")).join(format!("{name}.png"))
                } else {
                    dir.join(format!("{name}.png"))
                };
                std::fs::write(&file, png)
                    .with_context(|| format!("cannot write {}", file.display()))?;
                written.push(file);
            }
        }
    }
    Ok(written)
}
