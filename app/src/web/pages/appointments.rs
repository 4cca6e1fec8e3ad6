//! Appointment pages (officers and supervisors; the rules are `crate::appointments`):
//!
//! - the case's card: its appointments with what became of them, and the form that books one
//!   (`POST /cases/{id}/appointments`);
//! - the slip (`GET /appointments/{id}`): the QR code and the eight digits the visitor shows
//!   the kiosk, the day, time and service in the four languages, nothing personal; printed on
//!   the receipt printer or shown on the screen (`POST /appointments/{id}` `action=print`), or
//!   the appointment cancelled (`action=cancel`);
//! - the officer's day: today's appointments, on the desk page ([`today_card`]).

use super::extract::{CsrfForm, DossierWork, Fields, Page};
use super::layout;
use super::refusal::PageError;
use crate::appointments::AppointmentError;
use crate::i18n::Tr;
use crate::store::appointments::{Appointment, AppointmentState};
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::appointments::{Booking, clock};
use baom_domain::catalogue::{DeskNo, Letter};
use baom_domain::language::Language;
use baom_receipt::paper::{PaperInput, Part, Section};
use maud::{Markup, PreEscaped, html};

/// The case's appointments and the form that books one.
pub fn case_card(
    tr: Tr,
    state: &AppState,
    csrf: &str,
    case: i64,
    open: bool,
    list: &[(Appointment, bool)],
) -> Markup {
    let catalogue = state.queue.catalogue();
    let lang = tr.language();
    let rules = state.settings().appointments;
    let today = state.queue.snapshot().day();
    let outcome = |a: &Appointment, no_show: bool| a.outcome(today, no_show);
    html! {
        section.card.appointments #appointments {
            h2 { (tr.t("appointments-title")) }
            @if list.is_empty() { p.empty { (tr.t("appointments-none")) } }
            @else {
                table #case-appointments {
                    @for (a, no_show) in list {
                        @let b = &a.booking;
                        tr data-state=(outcome(a, *no_show)) {
                            td dir="ltr" { (b.day) " " (clock(b.slot_minute)) }
                            td { (b.service) " · " (catalogue.service(b.service).map(|s| s.names.get(lang).to_owned()).unwrap_or_default()) }
                            td { @if let Some(d) = b.desk { (tr.t1("desk-number", "n", &d.to_string())) } @if let Some(o) = &b.officer { " " (o) } }
                            td { (tr.t(&format!("appointment-{}", outcome(a, *no_show)))) @if let Some(n) = &a.note { " · " small { (n) } } }
                            td { a href={ "/appointments/" (a.id) } { (tr.t("appointment-slip")) } }
                        }
                    }
                }
            }
            @if open {
                form.inline method="post" action={ "/cases/" (case) "/appointments" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label { (tr.t("appointment-day")) input type="date" name="day" required; }
                    label { (tr.t("appointment-time")) input type="time" name="time" step=(u32::from(rules.slot_minutes) * 60) required; }
                    label { (tr.t("appointment-service"))
                        select name="service" {
                            @for s in catalogue.services() { option value=(s.letter) { (s.letter) " · " (s.names.get(lang)) } }
                        }
                    }
                    label { (tr.t("appointment-desk"))
                        select name="desk" {
                            option value="" { "—" }
                            @for d in catalogue.desks() { option value=(d.number) { (d.name) } }
                        }
                    }
                    label.check { input type="checkbox" name="with_me"; " " (tr.t("appointment-with-me")) }
                    button.primary type="submit" { (tr.t("appointment-book")) }
                }
                p.hint { (tr.t1("appointment-hint", "m", &rules.slot_minutes.to_string())) }
            }
        }
    }
}

/// `POST /cases/{id}/appointments`: books a visit; on to its slip, or back with the reason.
pub async fn book(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path(case): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let back = |why: String| {
        Redirect::to(&format!(
            "/cases/{case}?problem={}#appointments",
            crate::web::auth::urlencode(&why)
        ))
        .into_response()
    };
    let Ok(day) = f.get("day").trim().parse() else {
        return Ok(back(tr.t("appointment-error-day")));
    };
    let Some(slot_minute) = minute_of(f.get("time")) else {
        return Ok(back(tr.t("appointment-error-time")));
    };
    let Ok(service) = f.get("service").parse::<Letter>() else {
        return Ok(back(tr.t("appointment-error-service")));
    };
    let desk = match f.get("desk").trim() {
        "" => None,
        d => match d.parse::<u16>() {
            Ok(n) => Some(DeskNo(n)),
            Err(_) => return Ok(back(tr.t("appointment-error-desk"))),
        },
    };
    let booking = Booking {
        day,
        slot_minute,
        service,
        desk,
        officer: (!f.get("with_me").is_empty()).then(|| page.actor()),
    };
    match state.appointments.book(page.actor(), case, booking).await {
        Ok(a) => Ok(Redirect::to(&format!("/appointments/{}", a.id)).into_response()),
        Err(e @ (AppointmentError::Refused(_) | AppointmentError::CaseClosed)) => Ok(back(
            format!("{} · {e}", tr.t(&format!("appointment-error-{}", e.code()))),
        )),
        Err(AppointmentError::Dossiers(e)) => Err(e.into()),
        Err(e) => Err(PageError::Failed(e.to_string())),
    }
}

/// `HH:MM` → minutes after midnight.
fn minute_of(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// The slip's words in one language.
fn slip_part(state: &AppState, a: &Appointment, language: Language) -> Part {
    let t = Tr(language);
    let catalogue = state.queue.catalogue();
    let b = &a.booking;
    let service = catalogue
        .service(b.service)
        .map(|s| s.names.get(language).to_owned())
        .unwrap_or_default();
    let mut lines = vec![
        format!("{} {}", b.day, clock(b.slot_minute)),
        format!("{} · {service}", b.service),
    ];
    if let Some(d) = b.desk {
        lines.push(t.t1("desk-number", "n", &d.to_string()));
    }
    Part {
        language,
        title: t.t("appointment-slip-title"),
        sections: vec![
            Section {
                heading: t.t("appointment-slip-when"),
                lines,
            },
            Section {
                heading: t.t("appointment-slip-how"),
                lines: vec![t.t1("appointment-slip-how-text", "code", &spaced(&a.code))],
            },
        ],
    }
}

/// `1234 5678`: eight digits read in two groups.
fn spaced(code: &str) -> String {
    match (code.get(..4), code.get(4..)) {
        (Some(a), Some(b)) => format!("{a} {b}"),
        _ => code.to_owned(),
    }
}

/// `GET /appointments/{id}`: the slip to show or print.
pub async fn slip(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let a = found(&state, id).await?;
    Ok(slip_view(&state, &page, &a, None, StatusCode::OK))
}

fn slip_view(
    state: &AppState,
    page: &Page<DossierWork>,
    a: &Appointment,
    notice: Option<(bool, String)>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let qr = baom_receipt::qr_svg(&a.token).unwrap_or_default();
    let here = format!("/appointments/{}", a.id);
    let body = html! {
        div.no-print {
            @if let Some(case) = a.case_id { p { a href={ "/cases/" (case) "#appointments" } { (tr.t("slip-back")) } } }
            @if let Some((ok, text)) = &notice {
                @if *ok { p.verified role="status" #appointment-notice { (text) } }
                @else { p.problem role="alert" #appointment-notice { (text) } }
            }
            p { (tr.t(&format!("appointment-{}", a.outcome(state.queue.snapshot().day(), false)))) }
            @if a.state == AppointmentState::Booked {
                form.inline method="post" action=(here) {
                    input type="hidden" name="csrf" value=(page.session.csrf);
                    input type="hidden" name="action" value="print";
                    button.primary type="submit" { (tr.t("appointment-print")) }
                }
                form.inline method="post" action=(here) {
                    input type="hidden" name="csrf" value=(page.session.csrf);
                    input type="hidden" name="action" value="cancel";
                    button type="submit" { (tr.t("appointment-cancel")) }
                }
            }
        }
        article.slip.appointment-slip {
            div.qr #appointment-qr { (PreEscaped(qr)) }
            p.code #appointment-code dir="ltr" { (spaced(&a.code)) }
            @for language in Language::ALL {
                @let part = slip_part(state, a, language);
                section lang=(language.code()) dir=(if language.is_rtl() { "rtl" } else { "ltr" }) {
                    h2 { (part.title) }
                    @for s in &part.sections {
                        h3 { (s.heading) }
                        @for l in &s.lines { p { bdi { (l) } } }
                    }
                }
            }
        }
    };
    (
        status,
        layout(
            tr,
            &tr.t("appointment-slip-title"),
            Some(&page.session),
            &here,
            body,
        ),
    )
        .into_response()
}

async fn found(state: &AppState, id: i64) -> Result<Appointment, PageError> {
    state.appointments.by_id(id).await.map_err(|e| match e {
        AppointmentError::Unknown(_) => PageError::NotFound("appointment-unknown"),
        other => PageError::Failed(other.to_string()),
    })
}

/// `POST /appointments/{id}`: print its slip, or cancel it.
pub async fn act(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let a = found(&state, id).await?;
    match f.get("action") {
        "print" => {
            let settings = state.settings();
            // The visitor's language first would need the dossier; the slip carries all four.
            let paper = PaperInput {
                commune_ar: settings.commune.name_ar.clone(),
                commune_latin: settings.commune.name_latin.clone(),
                parts: Language::ALL
                    .into_iter()
                    .map(|l| slip_part(&state, &a, l))
                    .collect(),
                qr: Some((a.token.clone(), spaced(&a.code))),
            };
            match state.printer.print_paper("appointment", paper).await {
                Ok(printed) => Ok(slip_view(
                    &state,
                    &page,
                    &a,
                    Some((
                        true,
                        tr.t1("appointment-printed", "state", printed.as_str()),
                    )),
                    StatusCode::OK,
                )),
                Err(why) => Ok(slip_view(
                    &state,
                    &page,
                    &a,
                    Some((false, tr.t1("slip-print-failed", "why", &why))),
                    StatusCode::SERVICE_UNAVAILABLE,
                )),
            }
        }
        "cancel" => match state.appointments.cancel(id, page.actor()).await {
            Ok(()) => Ok(Redirect::to(&format!("/appointments/{id}")).into_response()),
            Err(e @ AppointmentError::Used(_)) => Ok(slip_view(
                &state,
                &page,
                &a,
                Some((false, e.to_string())),
                StatusCode::CONFLICT,
            )),
            Err(e) => Err(PageError::Failed(e.to_string())),
        },
        _ => Err(PageError::BadForm),
    }
}

/// Today's appointments for the desk page: the officer's day.
pub fn today_card(tr: Tr, state: &AppState, list: &[Appointment]) -> Markup {
    let catalogue = state.queue.catalogue();
    let lang = tr.language();
    html! {
        section.card.appointments-today #appointments-today {
            h2 { (tr.t("appointments-today")) }
            @if list.is_empty() { p.empty { (tr.t("appointments-none")) } }
            @else {
                table {
                    @for a in list {
                        @let b = &a.booking;
                        tr data-state=(a.state.as_str()) {
                            td dir="ltr" { (clock(b.slot_minute)) }
                            td { (b.service) " · " (catalogue.service(b.service).map(|s| s.names.get(lang).to_owned()).unwrap_or_default()) }
                            td { @if let Some(d) = b.desk { (tr.t1("desk-number", "n", &d.to_string())) } @if let Some(o) = &b.officer { " " (o) } }
                            td { (tr.t(&format!("appointment-{}", a.state.as_str()))) }
                            td { @if let Some(c) = a.case_id { a href={ "/cases/" (c) } { (tr.t1("audit-case-link", "n", &c.to_string())) } } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_minutes_and_nonsense_does_not() {
        assert_eq!(minute_of("10:30"), Some(630));
        assert_eq!(minute_of("08:00:00"), Some(480));
        for bad in ["", "10", "25:00", "10:60", "ab:cd", "-1:00"] {
            assert_eq!(minute_of(bad), None, "{bad}");
        }
    }
}
