//! The technician's page: what they come to check on the box — the printer (with a test
//! print), the scanner (with a test scan), the disk, the last backup and where it went, the
//! clock, the version and the journal's last errors. No dossier, ever (a test scan shows the
//! page's size, not the page).

use super::clock::{local, warning};
use super::extract::{CsrfForm, Devices, Page};
use super::layout;
use crate::health::{Journal, Report};
use crate::i18n::Tr;
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use baom_domain::clock::ClockState;
use maud::html;
use serde::Deserialize;

/// A size for people: `1.2 Go`.
fn size(tr: Tr, bytes: u64) -> String {
    let gb = bytes as f64 / 1e9;
    if gb >= 1.0 {
        tr.t1("admin-tech-gb", "n", &format!("{gb:.1}"))
    } else {
        tr.t1("admin-tech-mb", "n", &format!("{:.1}", bytes as f64 / 1e6))
    }
}

async fn render(
    state: &AppState,
    page: &Page<Devices>,
    outcome: Option<(bool, String)>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let settings = state.settings();
    let zone = settings.catalogue.time_zone().clone();
    let r = Report::gather(
        settings.data(),
        settings.backup.usb_dir.clone(),
        &state.printer,
        &state.scanner,
        &state.queue,
    )
    .await;
    let csrf = &page.session.csrf;
    let body = html! {
        (warning(tr))
        h1 { (tr.t("tech-title")) }
        @if let Some((ok, text)) = &outcome {
            @if *ok { p.verified #tech-outcome role="status" { (text) } } @else { p.problem #tech-outcome role="alert" { (text) } }
        }
        section.card #tech-printer {
            h2 { (tr.t("admin-tech-printer")) }
            dl.facts {
                dt { (tr.t("admin-tech-state")) } dd #printer-state { (tr.t(&format!("admin-printer-{}", r.printer.state.as_str()))) }
                dt { (tr.t("admin-tech-kind")) } dd dir="ltr" { (r.printer.kind) " · " (r.printer.paper_width_mm) " mm" }
                dt { (tr.t("admin-tech-pending")) } dd { (r.printer.pending) }
                @if let Some(e) = &r.printer.last_error { dt { (tr.t("admin-tech-last-error")) } dd dir="ltr" { (e) } }
                @if let Some(at) = r.printer.checked_at { dt { (tr.t("admin-tech-checked")) } dd dir="ltr" { (local(at, &zone)) } }
            }
            form.inline method="post" action="/technician" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="action" value="test-print";
                button type="submit" { (tr.t("admin-tech-test-print")) }
            }
        }
        section.card #tech-scanner {
            h2 { (tr.t("admin-tech-scanner")) }
            @if r.scanner_configured {
                p { (tr.t("admin-tech-scanner-configured")) }
                form.inline method="post" action="/technician" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="test-scan";
                    button type="submit" { (tr.t("admin-tech-test-scan")) }
                }
            } @else {
                p.empty { (tr.t("admin-tech-scanner-none")) }
            }
        }
        section.card #tech-disk {
            h2 { (tr.t("admin-tech-disk")) }
            @match &r.disk {
                Ok(d) => p { (tr.t2("admin-tech-disk-free", "free", &size(tr, d.free), "total", &size(tr, d.total))) },
                Err(e) => p.problem { (e) },
            }
            p.hint dir="ltr" { (r.data_dir.display()) }
        }
        section.card #tech-backup {
            h2 { (tr.t("backup-title")) }
            @match &r.last_backup {
                Ok(Some(b)) => p #last-backup {
                    (tr.t2("admin-tech-backup-last", "when", &b.at.get(..16).unwrap_or(&b.at).replace('T', " "), "who", &b.actor))
                    " · " (tr.t(&format!("admin-tech-backup-{}", b.kind))) " · " bdi dir="ltr" { (b.place) } " · " (size(tr, b.bytes.max(0) as u64))
                },
                Ok(None) => p.problem #last-backup { (tr.t("admin-tech-backup-none")) },
                Err(e) => p.problem { (e) },
            }
            @match &r.usb_dir {
                Some(dir) => p.hint { (tr.t1("backup-usb-dir", "dir", &dir.display().to_string())) },
                None => p.hint { (tr.t("backup-usb-none")) },
            }
        }
        section.card #tech-clock {
            h2 { (tr.t("admin-clock-title")) }
            p dir="ltr" { (local(r.clock.service, &zone)) }
            @match r.clock.state {
                ClockState::Right => p.verified { (tr.t("admin-clock-right")) },
                ClockState::Behind { .. } => p.problem { (tr.t("admin-clock-behind-short")) },
            }
            p { a href="/clock" { (tr.t("admin-clock-set")) } }
        }
        section.card #tech-service {
            h2 { (tr.t("tech-health")) }
            ul {
                li #version { "baom " (r.version) }
                li { (tr.t1("tech-tickets-today", "n", &r.tickets_today.to_string())) }
            }
        }
        (update_card(tr, csrf, &crate::updates::status(&settings.data())))
        section.card #tech-journal {
            h2 { (tr.t("admin-tech-journal")) }
            @match &r.journal {
                Journal::NoSystemd => p.empty #journal-none { (tr.t("admin-tech-journal-none")) },
                Journal::Unreadable(why) => p.problem { (tr.t("admin-tech-journal-unreadable")) " " span dir="ltr" { (why) } },
                Journal::Lines(lines) if lines.is_empty() => p.verified { (tr.t("admin-tech-journal-clean")) },
                Journal::Lines(lines) => pre.journal dir="ltr" { @for l in lines { (l) "\n" } },
            }
        }
    };
    (
        status,
        layout(
            tr,
            &tr.t("tech-title"),
            Some(&page.session),
            "/technician",
            body,
        ),
    )
        .into_response()
}

/// The system and its updates: the version running, the last update's state and RAUC's words,
/// each root slot's state, and the form to send a bundle.
fn update_card(tr: Tr, csrf: &str, u: &crate::updates::Status) -> maud::Markup {
    let slots: Vec<(String, String, String)> = u
        .rauc
        .as_ref()
        .and_then(|r| r["slots"].as_array())
        .map(|all| {
            all.iter()
                .filter_map(|s| s.as_object()?.iter().next())
                .map(|(_, s)| {
                    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
                    (
                        text(&s["bootname"]),
                        text(&s["boot_status"]),
                        text(&s["slot_status"]["bundle"]["version"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let booted = u
        .rauc
        .as_ref()
        .and_then(|r| r["booted"].as_str())
        .unwrap_or("");
    html! {
        section.card #tech-update {
            h2 { (tr.t("tech-update-title")) }
            dl.facts {
                dt { (tr.t("tech-update-system")) }
                dd #system-version dir="ltr" { (u.system_version.as_deref().unwrap_or("—")) }
                dt { (tr.t("tech-update-state")) }
                dd #update-state { (tr.t(&format!("tech-update-{}", u.state))) }
            }
            @if let Some(version) = u.rauc.as_ref().and_then(crate::updates::went_back) {
                p.problem #update-went-back role="alert" { (tr.t1("tech-update-went-back", "version", &version)) }
            }
            @if !u.message.is_empty() { pre.journal #update-message dir="ltr" { (u.message) } }
            @if !slots.is_empty() {
                table #update-slots {
                    thead { tr { th { (tr.t("tech-update-slot")) } th { (tr.t("tech-update-slot-state")) } th { (tr.t("tech-update-slot-version")) } } }
                    tbody {
                        @for (name, state, version) in &slots {
                            tr {
                                td dir="ltr" { (name) @if name == booted { " · " (tr.t("tech-update-booted")) } }
                                td { @if state == "bad" { span.problem { (tr.t("tech-update-bad")) } } @else { (tr.t("tech-update-good")) } }
                                td dir="ltr" { (version) }
                            }
                        }
                    }
                }
            }
            @if !u.stick.is_empty() {
                h3 { (tr.t("tech-update-stick")) }
                ul #update-stick {
                    @for b in &u.stick {
                        li {
                            form.inline method="post" action="/technician/update-stick" {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="name" value=(b.name);
                                bdi dir="ltr" { (b.name) } " · " (size(tr, b.bytes)) " "
                                button type="submit" { (tr.t("tech-update-install")) }
                            }
                        }
                    }
                }
            }
            form method="post" action="/technician/update" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                label { (tr.t("tech-update-file")) " " input type="file" name="bundle" accept=".raucb" required; }
                button type="submit" { (tr.t("tech-update-send")) }
            }
            p.hint { (tr.t("tech-update-hint")) }
        }
    }
}

/// `POST /technician/update`: a bundle from the page's file input (multipart). The form's
/// CSRF field comes first, so a forged form is refused before anything is written.
pub async fn upload(
    State(state): State<AppState>,
    page: Page<Devices>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let tr = page.tr;
    let mut csrf_ok = false;
    let outcome = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("csrf") => {
                let token = field.text().await.unwrap_or_default();
                csrf_ok = crate::web::auth::same_token(&token, &page.session.csrf);
            }
            Ok(Some(field)) if field.name() == Some("bundle") => {
                if !csrf_ok {
                    break None;
                }
                let data = state.settings().data();
                let free = crate::web::updates::free_space(&state);
                break Some(
                    match crate::updates::receive(&data, None, free, field).await {
                        Ok(_) => (true, tr.t("tech-update-received")),
                        Err(e) => (false, e.to_string()),
                    },
                );
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break None,
        }
    };
    match outcome {
        Some((ok, text)) => {
            if ok {
                tracing::info!(login = %page.session.account.login, "update bundle received from the page");
            }
            let status = if ok {
                StatusCode::ACCEPTED
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(&state, &page, Some((ok, text)), status).await
        }
        None if !csrf_ok => super::PageError::Csrf.into_response(),
        None => super::PageError::BadForm.into_response(),
    }
}

#[derive(Deserialize)]
pub struct StickForm {
    name: String,
}

/// `POST /technician/update-stick`: a bundle from the update stick, named in the form.
pub async fn from_stick(
    State(state): State<AppState>,
    page: Page<Devices>,
    CsrfForm(choice): CsrfForm<StickForm>,
) -> Response {
    let tr = page.tr;
    let data = state.settings().data();
    let free = crate::web::updates::free_space(&state);
    let (ok, text) = match crate::updates::from_stick(&data, &choice.name, free).await {
        Ok(_) => (true, tr.t("tech-update-received")),
        Err(e) => (false, e.to_string()),
    };
    if ok {
        tracing::info!(login = %page.session.account.login, name = %choice.name, "update bundle taken from the stick");
    }
    let status = if ok {
        StatusCode::ACCEPTED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(&state, &page, Some((ok, text)), status).await
}

pub async fn page(State(state): State<AppState>, page: Page<Devices>) -> Response {
    render(&state, &page, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct Check {
    #[serde(default)]
    action: String,
}

/// A test print or a test scan, then the page with its outcome.
pub async fn check(
    State(state): State<AppState>,
    page: Page<Devices>,
    CsrfForm(form): CsrfForm<Check>,
) -> Response {
    let tr = page.tr;
    let outcome = match form.action.as_str() {
        "test-print" => match state
            .printer
            .test_print(tr.language(), tr.t("admin-tech-test-title"))
            .await
        {
            Ok(s) => (
                true,
                tr.t1(
                    "admin-tech-printed",
                    "state",
                    &tr.t(&format!("admin-printer-{}", s.as_str())),
                ),
            ),
            Err(why) => (false, tr.t1("admin-tech-print-failed", "why", &why)),
        },
        "test-scan" => match state.scanner.test_scan().await {
            Ok((w, h, bytes)) => (
                true,
                tr.t2(
                    "admin-tech-scanned",
                    "size",
                    &format!("{w} × {h}"),
                    "bytes",
                    &size(tr, bytes as u64),
                ),
            ),
            Err(e) => (
                false,
                tr.t1("admin-tech-scan-failed", "why", &e.to_string()),
            ),
        },
        _ => (false, tr.t("error-bad-form")),
    };
    let status = if outcome.0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(&state, &page, Some(outcome), status).await
}
