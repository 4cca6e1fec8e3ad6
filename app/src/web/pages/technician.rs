//! The technician's page: what they come to check on the box — the printer (with a test
//! print), the scanner (with a test scan), the disk, the last backup and where it went, the
//! clock, the version and the journal's last errors. No dossier, ever (a test scan shows the
//! page's size, not the page).

use super::clock::{local, warning};
use super::extract::{CsrfForm, Devices, Page};
use super::layout;
use crate::health::{Journal, Report};
use crate::i18n::Tr;
use crate::updates::UpdateError;
use crate::updates::feed::{FeedState, FeedStatus};
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
        (update_card(tr, csrf, &crate::updates::status(&settings.data()), &state.feed.status(), &zone))
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
fn update_card(
    tr: Tr,
    csrf: &str,
    u: &crate::updates::Status,
    feed: &FeedStatus,
    zone: &jiff::tz::TimeZone,
) -> maud::Markup {
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
            @if let Some(url) = &feed.url {
                (feed_part(tr, csrf, feed, url, zone))
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

/// The update server's part of the card: its address, the last check and its result, the
/// download's progress, the bundle it offers, and a button to check now.
fn feed_part(
    tr: Tr,
    csrf: &str,
    feed: &FeedStatus,
    url: &str,
    zone: &jiff::tz::TimeZone,
) -> maud::Markup {
    let checked = feed
        .checked_at
        .as_deref()
        .and_then(|at| at.parse::<jiff::Timestamp>().ok());
    html! {
        h3 { (tr.t("tech-feed-title")) }
        dl.facts #update-feed data-state=(feed.state.as_str()) {
            dt { (tr.t("tech-feed-url")) }
            dd dir="ltr" { bdi { (url) } }
            dt { (tr.t("tech-feed-checked")) }
            dd dir="ltr" { @if let Some(at) = checked { (local(at, zone)) } @else { "—" } }
            dt { (tr.t("tech-feed-state")) }
            dd #feed-state { (tr.t(&format!("tech-feed-{}", feed.state.as_str()))) }
            @if let Some(version) = &feed.version {
                dt { (tr.t("tech-update-slot-version")) }
                dd #feed-version dir="ltr" { (version) }
            }
            @if feed.bytes > 0 && feed.state != FeedState::UpToDate {
                dt { (tr.t("tech-feed-progress")) }
                dd #feed-progress { progress max=(feed.bytes) value=(feed.received) {} " " (size(tr, feed.received)) " / " (size(tr, feed.bytes)) }
            }
        }
        @if let Some(code) = &feed.error {
            p.problem #feed-error role="alert" { (tr.t(&format!("tech-feed-error-{code}"))) }
            @if let Some(m) = &feed.message { pre.journal dir="ltr" { (m) } }
        }
        @if feed.state == FeedState::Offered {
            form.inline method="post" action="/technician/update-feed" {
                input type="hidden" name="csrf" value=(csrf);
                button.primary type="submit" #feed-install { (tr.t1("tech-feed-install", "version", feed.version.as_deref().unwrap_or(""))) }
            }
        }
        form.inline method="post" action="/technician/update-check" {
            input type="hidden" name="csrf" value=(csrf);
            button type="submit" #feed-check { (tr.t("tech-feed-check")) }
        }
    }
}

/// A refused bundle, in the reader's language.
fn refusal(tr: Tr, e: &UpdateError) -> String {
    tr.t(&format!("tech-update-error-{}", e.code()))
}

/// The page after a bundle was handed to the installer (or refused).
async fn after_handing(
    state: &AppState,
    page: &Page<Devices>,
    result: Result<String, UpdateError>,
) -> Response {
    let tr = page.tr;
    match result {
        Ok(subject) => {
            crate::web::updates::log_handed(state, &page.session, subject).await;
            let text = tr.t("tech-update-received");
            render(state, page, Some((true, text)), StatusCode::ACCEPTED).await
        }
        Err(e) => {
            let text = refusal(tr, &e);
            render(
                state,
                page,
                Some((false, text)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
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
                break Some(match crate::updates::free_space(&data) {
                    Ok(free) => crate::updates::receive(&data, None, free, field)
                        .await
                        .map(|bytes| format!("upload · {bytes} B")),
                    Err(e) => Err(e),
                });
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break None,
        }
    };
    match outcome {
        Some(result) => after_handing(&state, &page, result).await,
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
    let data = state.settings().data();
    let result = match crate::updates::free_space(&data) {
        Ok(free) => crate::updates::from_stick(&data, &choice.name, free)
            .await
            .map(|bytes| format!("stick · {} · {bytes} B", choice.name)),
        Err(e) => Err(e),
    };
    after_handing(&state, &page, result).await
}

/// `POST /technician/update-feed`: installs the bundle the update server's check downloaded.
pub async fn from_feed(
    State(state): State<AppState>,
    page: Page<Devices>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let result = state
        .feed
        .install()
        .await
        .map(|(version, bytes)| format!("server · {version} · {bytes} B"));
    after_handing(&state, &page, result).await
}

/// `POST /technician/update-check`: checks the update server now; the page says the check
/// is under way (it shows its result when reloaded).
pub async fn check_feed(
    State(state): State<AppState>,
    page: Page<Devices>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let tr = page.tr;
    let outcome = match state.feed.check_now() {
        Ok(()) => (true, tr.t("tech-feed-started")),
        Err(e) => (false, tr.t(&format!("tech-feed-error-{}", e.code()))),
    };
    let status = if outcome.0 {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CONFLICT
    };
    render(&state, &page, Some(outcome), status).await
}

/// A form with nothing but its CSRF field.
#[derive(Deserialize)]
pub struct Empty {}

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
