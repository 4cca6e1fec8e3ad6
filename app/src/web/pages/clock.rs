//! The box's clock, for supervisors and technicians: what the system's clock reads, what the
//! service dates with, whether the first is behind the last thing recorded (after a power cut
//! on a box without a battery clock), and a form to set the date and time in the commune's
//! zone. Setting it is `crate::office::Office::set_clock` (the rules, the privileged helper,
//! the logs).

use super::extract::{CsrfForm, Devices, Page};
use super::layout;
use super::refusal::PageError;
use crate::clock::ClockSetError;
use crate::i18n::Tr;
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::clock::{ClockError, ClockState};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use maud::{Markup, html};
use serde::Deserialize;

/// A time in the commune's zone, as the page shows it.
pub(super) fn local(t: Timestamp, zone: &TimeZone) -> String {
    t.to_zoned_datetime(zone.clone())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The warning every supervisor's and technician's page carries while the clock is behind.
pub(super) fn warning(tr: Tr) -> Markup {
    let status = crate::clock::status();
    html! {
        @if let ClockState::Behind { by } = status.state {
            p.problem.clock-behind #clock-behind role="alert" {
                (tr.t1("admin-clock-behind", "hours", &format!("{:.1}", by.as_secs_f64() / 3600.0)))
                " " a href="/clock" { (tr.t("admin-clock-set-now")) }
            }
        }
    }
}

fn clock_page(
    state: &AppState,
    page: &Page<Devices>,
    typed: Option<(&str, &str)>,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let zone = state.settings().catalogue.time_zone().clone();
    let s = crate::clock::status();
    let shown = s.service.to_zoned_datetime(zone.clone());
    let (date, time) = match typed {
        Some((d, t)) => (d.to_owned(), t.to_owned()),
        None => (
            shown.strftime("%Y-%m-%d").to_string(),
            shown.strftime("%H:%M").to_string(),
        ),
    };
    let body = html! {
        h1 { (tr.t("admin-clock-title")) }
        @if let Some(p) = &problem { p.problem role="alert" #clock-problem { (p) } }
        section.card #clock-state {
            dl.facts {
                dt { (tr.t("admin-clock-system")) } dd #clock-system dir="ltr" { (local(s.system, &zone)) }
                dt { (tr.t("admin-clock-service")) } dd #clock-service dir="ltr" { (local(s.service, &zone)) }
                dt { (tr.t("admin-clock-last")) } dd dir="ltr" { (local(s.floor, &zone)) }
                dt { (tr.t("admin-clock-zone")) } dd dir="ltr" { (zone.iana_name().unwrap_or("UTC")) }
            }
            @match s.state {
                ClockState::Right => p.verified #clock-verdict { (tr.t("admin-clock-right")) },
                ClockState::Behind { by } => p.problem #clock-verdict {
                    (tr.t1("admin-clock-behind", "hours", &format!("{:.1}", by.as_secs_f64() / 3600.0)))
                },
            }
            @if s.test_hook { p.flag { (tr.t("admin-clock-test-hook")) } }
        }
        form.card #clock-set method="post" action="/clock" {
            h2 { (tr.t("admin-clock-set")) }
            input type="hidden" name="csrf" value=(page.session.csrf);
            label { (tr.t("admin-clock-date")) input name="date" value=(date) dir="ltr" placeholder="2026-03-02" required size="10"; }
            label { (tr.t("admin-clock-time")) input name="time" value=(time) dir="ltr" placeholder="09:30" required size="5"; }
            p.hint { (tr.t("admin-clock-explain")) }
            button.primary type="submit" { (tr.t("admin-clock-set-submit")) }
        }
    };
    (
        status,
        layout(
            tr,
            &tr.t("admin-clock-title"),
            Some(&page.session),
            "/clock",
            body,
        ),
    )
        .into_response()
}

pub async fn page(State(state): State<AppState>, page: Page<Devices>) -> Response {
    clock_page(&state, &page, None, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct SetForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
}

/// The date and time typed, in the commune's zone.
fn parse_local(date: &str, time: &str, zone: &TimeZone) -> Option<Timestamp> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    let time = time.trim();
    let time: jiff::civil::Time = if time.len() == 5 {
        format!("{time}:00").parse().ok()?
    } else {
        time.parse().ok()?
    };
    date.to_datetime(time)
        .to_zoned_datetime(zone.clone())
        .ok()
        .map(|z| z.timestamp())
}

fn explain(tr: Tr, e: &ClockSetError, zone: &TimeZone) -> String {
    match e {
        ClockSetError::Refused(ClockError::BeforeLastEvent { last, .. }) => {
            tr.t1("admin-clock-error-before", "last", &local(*last, zone))
        }
        ClockSetError::Refused(ClockError::FarAhead { last, .. }) => {
            tr.t1("admin-clock-error-far", "last", &local(*last, zone))
        }
        ClockSetError::NoHelper(_) => tr.t("admin-clock-error-helper"),
        other => other.to_string(),
    }
}

pub async fn set(
    State(state): State<AppState>,
    page: Page<Devices>,
    CsrfForm(form): CsrfForm<SetForm>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let zone = state.settings().catalogue.time_zone().clone();
    let typed = Some((form.date.as_str(), form.time.as_str()));
    let Some(target) = parse_local(&form.date, &form.time, &zone) else {
        return Ok(clock_page(
            &state,
            &page,
            typed,
            Some(tr.t("admin-clock-error-format")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    match state
        .office
        .set_clock(page.actor(), target, state.staff.accounts.clone())
        .await
    {
        Ok(_) => Ok(Redirect::to("/clock").into_response()),
        Err(e @ (ClockSetError::Refused(_) | ClockSetError::NoHelper(_))) => Ok(clock_page(
            &state,
            &page,
            typed,
            Some(explain(tr, &e, &zone)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(PageError::Failed(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_time_is_read_in_the_communes_zone() {
        let zone = TimeZone::get("Africa/Casablanca").expect("zone");
        let t = parse_local("2026-03-02", "09:30", &zone).expect("time");
        assert_eq!(local(t, &zone), "2026-03-02 09:30:00");
        assert!(parse_local("2026-02-30", "09:30", &zone).is_none());
        assert!(parse_local("hier", "09:30", &zone).is_none());
        assert!(parse_local("2026-03-02", "25:00", &zone).is_none());
    }
}
