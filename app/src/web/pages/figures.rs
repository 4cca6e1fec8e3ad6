//! The register of visits and the office's figures, as pages: the register's form (on the desk
//! page after a ticket is finished, and on its own for a phone call, a field visit or a walk-in
//! with no ticket), the figures of a period with the sentences the offices report, and the
//! figures as CSV and XLSX. Supervisors see the office's figures, officers their own.

use super::extract::{CsrfForm, DeskWork, Page, Supervision};
use super::layout;
use super::refusal::{PageError, explain};
use crate::figures::labels::Labels;
use crate::figures::{FiguresError, FinishedTicket, export};
use crate::i18n::Tr;
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::figures::census::{HouseholdInput, Source};
use baom_domain::figures::compute::Times;
use baom_domain::figures::register::{
    AgeBand, Channel, EntryInput, NationalityGroup, NeedCategory, VisitOutcome, VisitorProfile,
};
use baom_domain::figures::{Figures, Period, Scope, Shown, ShownTable};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

impl From<FiguresError> for PageError {
    fn from(e: FiguresError) -> PageError {
        match e {
            FiguresError::Dossiers(d) => d.into(),
            FiguresError::Invalid(d) => PageError::Invalid(d),
            FiguresError::UnknownTicket => PageError::NotFound("dossier-unknown-ticket"),
            e @ (FiguresError::Store(_) | FiguresError::Export(_)) => {
                PageError::Failed(e.to_string())
            }
            e => PageError::refused(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        }
    }
}

/// The sentence for a refused period or export, in the reader's words.
fn problem(tr: Tr, e: &FiguresError) -> String {
    let key = format!("fig-error-{}", e.code());
    let text = tr.t(&key);
    if text == key { e.to_string() } else { text }
}

/// One choice among a few, as big buttons (radio inputs): a few taps.
fn choices(tr: Tr, name: &str, options: &[(&str, String)], chosen: &str, required: bool) -> Markup {
    html! {
        fieldset.choices {
            legend { (tr.t(&format!("field-{name}"))) }
            @for (code, label) in options {
                label.choice {
                    input type="radio" name=(name) value=(code) checked[*code == chosen] required[required];
                    span { (label) }
                }
            }
        }
    }
}

/// The register's fields, started from `input`.
pub fn register_fields(tr: Tr, state: &AppState, input: &EntryInput) -> Markup {
    let t = |k: String| tr.t(&k);
    let sexes: Vec<(&str, String)> = ["female", "male"]
        .iter()
        .map(|s| (*s, t(format!("sex-{s}"))))
        .collect();
    let profiles: Vec<(&str, String)> = VisitorProfile::ALL
        .iter()
        .map(|p| (p.code(), t(format!("profile-{}", p.code()))))
        .collect();
    let ages: Vec<(&str, String)> = AgeBand::ALL
        .iter()
        .map(|a| {
            (
                a.code(),
                if *a == AgeBand::Unknown {
                    tr.t("fig-unknown")
                } else {
                    a.code().to_owned()
                },
            )
        })
        .collect();
    let nationalities: Vec<(&str, String)> = NationalityGroup::ALL
        .iter()
        .map(|n| (n.code(), t(format!("nationality-{}", n.code()))))
        .collect();
    let outcomes: Vec<(&str, String)> = VisitOutcome::ALL
        .iter()
        .map(|o| (o.code(), t(format!("visit-outcome-{}", o.code()))))
        .collect();
    let settings = state.settings();
    let reference = state.reference.current();
    let age = if input.age_band.is_empty() {
        "unknown"
    } else {
        input.age_band.as_str()
    };
    let nationality = if input.nationality.is_empty() {
        "unknown"
    } else {
        input.nationality.as_str()
    };
    html! {
        (choices(tr, "sex", &sexes, &input.sex, true))
        (choices(tr, "profile", &profiles, &input.profile, true))
        (choices(tr, "age_band", &ages, age, false))
        (choices(tr, "nationality", &nationalities, nationality, false))
        label { (tr.t("field-douar")) " "
            select name="douar" {
                option value="" { (tr.t("fig-unknown")) }
                @for d in &settings.douars {
                    option value=(d.name) selected[d.name == input.douar] { (d.name) }
                }
            }
        }
        label { (tr.t("field-need")) " "
            select name="need" required {
                option value="" { "—" }
                optgroup label=(tr.t("fig-need-categories")) {
                    @for n in NeedCategory::ALL {
                        option value=(n.code()) selected[n.code() == input.need] { (tr.t(&format!("need-{}", n.code()))) }
                    }
                }
                optgroup label=(tr.t("reference-title")) {
                    @for (id, v) in reference.iter().filter(|(_, v)| !v.retired) {
                        option value=(id) selected[*id == input.need] { (v.procedure.names.get(tr.language())) }
                    }
                }
            }
        }
        (choices(tr, "outcome", &outcomes, &input.outcome, true))
    }
}

/// The desk page's card: the register of the visit just finished at this desk.
pub fn desk_card(
    tr: Tr,
    state: &AppState,
    desk: u16,
    csrf: &str,
    ticket: &FinishedTicket,
    input: &EntryInput,
    more: usize,
) -> Markup {
    html! {
        section.card.register #register {
            h2 { (tr.t1("register-for-ticket", "number", &ticket.number)) }
            p.hint { (tr.t("register-explain")) }
            form method="post" action="/register" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="ticket" value=(ticket.id);
                input type="hidden" name="desk" value=(desk);
                (register_fields(tr, state, input))
                button.primary type="submit" { (tr.t("register-save")) }
            }
            @if more > 0 { p.hint { (tr.tn("register-more", "n", more as i64)) } }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    ticket: Option<String>,
    #[serde(default)]
    desk: Option<u16>,
    #[serde(default)]
    day: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    age_band: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    douar: String,
    #[serde(default)]
    need: String,
    #[serde(default)]
    outcome: String,
}

impl RegisterForm {
    fn input(&self) -> EntryInput {
        EntryInput {
            channel: self.channel.clone(),
            sex: self.sex.clone(),
            profile: self.profile.clone(),
            age_band: self.age_band.clone(),
            nationality: self.nationality.clone(),
            douar: self.douar.clone(),
            need: self.need.clone(),
            outcome: self.outcome.clone(),
        }
    }
}

fn walk_in_page(
    tr: Tr,
    state: &AppState,
    page: &Page<DeskWork>,
    form: &RegisterForm,
    problem: Option<String>,
    done: bool,
) -> Markup {
    let channels: Vec<(&str, String)> = Channel::ALL
        .iter()
        .filter(|c| **c != Channel::Ticket)
        .map(|c| (c.code(), tr.t(&format!("channel-{}", c.code()))))
        .collect();
    let body = html! {
        section.card {
            h1 { (tr.t("register-new-title")) }
            p.hint { (tr.t("register-new-explain")) }
            @if let Some(p) = problem { p.problem role="alert" { (p) } }
            @if done { p.done role="status" { (tr.t("register-saved")) } }
            form method="post" action="/register" {
                input type="hidden" name="csrf" value=(page.session.csrf);
                (choices(tr, "channel", &channels, &form.channel, true))
                label { (tr.t("field-day")) " " input type="date" name="day" value=(form.day) dir="ltr"; }
                (register_fields(tr, state, &form.input()))
                button.primary type="submit" { (tr.t("register-save")) }
            }
        }
    };
    layout(
        tr,
        &tr.t("register-new-title"),
        Some(&page.session),
        "/figures",
        body,
    )
}

/// A visit without a ticket: a phone call, a field visit (souk day), a walk-in.
pub async fn new_form(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let done = q.contains_key("done");
    walk_in_page(page.tr, &state, &page, &RegisterForm::default(), None, done).into_response()
}

/// Records a visit: a finished ticket's (back to its desk) or one without a ticket.
pub async fn record(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let ticket = match form
        .ticket
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => Some(t.parse::<u64>().map_err(|_| PageError::BadForm)?),
        None => None,
    };
    match state
        .figures
        .record(page.actor(), ticket, Some(&form.day), form.input())
        .await
    {
        Ok(_) => Ok(match (ticket, form.desk) {
            (Some(_), Some(desk)) => {
                Redirect::to(&format!("/desk/{desk}?done=register")).into_response()
            }
            (Some(_), None) => Redirect::to("/figures").into_response(),
            (None, _) => Redirect::to("/register/new?done=1").into_response(),
        }),
        Err(FiguresError::Invalid(e)) if ticket.is_none() => {
            let page_html = walk_in_page(tr, &state, &page, &form, Some(explain(tr, &e)), false);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page_html).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

fn scope(page: &Page<DeskWork>) -> Scope {
    if page.role().supervises() {
        Scope::Office
    } else {
        Scope::Officer(page.actor())
    }
}

fn cell(v: Shown) -> Markup {
    html! {
        @match v {
            Shown::Value(n) => td data-value=(n) { (n) },
            Shown::Small => td.small data-value="<5" title="1–4" { "<5" },
            Shown::Hidden => td.small data-value="x" { "x" },
        }
    }
}

fn table_view(labels: &Labels<'_>, t: &ShownTable) -> Markup {
    html! {
        table.figures data-table=(t.code) {
            caption { (labels.table(t.code)) }
            thead { tr {
                th {}
                @for c in &t.cols { th data-col=(c) { (labels.col(t.code, c)) } }
                @if t.row_totals.is_some() { th data-col="total" { (labels.total()) } }
            } }
            tbody {
                @for (i, r) in t.rows.iter().enumerate() {
                    tr data-row=(r) {
                        th { (labels.row(t.code, r)) }
                        @for v in &t.cells[i] { (cell(*v)) }
                        @if let Some(totals) = &t.row_totals { (cell(totals[i])) }
                    }
                }
            }
            tfoot { tr data-row="total" {
                th { (labels.total()) }
                @if t.cols.len() > 1 { @for v in &t.col_totals { (cell(*v)) } }
                (cell(t.total))
            } }
        }
    }
}

/// Seconds as the nearest whole minute.
fn whole_minutes(seconds: i64) -> u32 {
    u32::try_from((seconds.max(0) + 30) / 60).unwrap_or(u32::MAX)
}

fn minutes(tr: Tr, m: Option<u32>) -> String {
    match m {
        Some(m) => tr.t1("fig-minutes", "m", &m.to_string()),
        None => "—".into(),
    }
}

fn times_view(tr: Tr, labels: &Labels<'_>, code: &str, rows: &[Times]) -> Markup {
    html! {
        table.figures data-table=(code) {
            caption { (labels.table(code)) }
            thead { tr {
                th {}
                th { (tr.t("fig-time-called")) } th { (tr.t("fig-time-wait_median_min")) } th { (tr.t("fig-time-wait_p90_min")) }
                th { (tr.t("fig-time-served")) } th { (tr.t("fig-time-service_median_min")) } th { (tr.t("fig-time-service_p90_min")) }
                th { (tr.t("fig-time-within_target")) }
            } }
            tbody {
                @for t in rows {
                    tr data-row=(t.group) {
                        th { @if t.group == "all" { (labels.total()) } @else if code == "times.by_service" { (labels.row("visits.by_service", &t.group)) } @else { bdi dir="ltr" { (t.group) ":00" } } }
                        td { (t.called) } td { (minutes(tr, t.wait_median)) } td { (minutes(tr, t.wait_p90)) }
                        td { (t.served) } td { (minutes(tr, t.service_median)) } td { (minutes(tr, t.service_p90)) }
                        td { @match (t.within_target, t.within_target_share) {
                            (Some(n), Some(share)) => { (n) " (" (format!("{:.0}", share * 100.0)) " %)" },
                            (Some(n), None) => { (n) },
                            _ => { "—" },
                        } }
                    }
                }
            }
        }
    }
}

/// The sentences the offices write in their reports, from the period's figures.
pub fn sentences(tr: Tr, f: &Figures) -> Vec<String> {
    let h = &f.headline;
    // A number hidden by the small-cell rule reads as words, not as an "x".
    let n = |v: Shown| match v {
        Shown::Hidden => tr.t("fig-hidden"),
        v => v.to_string(),
    };
    let mut out = vec![
        tr.t2(
            "fig-sentence-visits",
            "visits",
            &n(h.visits),
            "women",
            &n(h.visits_women),
        ),
        tr.t2(
            "fig-sentence-dossiers",
            "dossiers",
            &n(h.dossiers),
            "women",
            &n(h.dossiers_women),
        ),
        tr.t1("fig-sentence-foreigners", "n", &n(h.foreigners_accompanied)),
    ];
    match h.counter_referral_share {
        Some(share) => out.push(tr.t2(
            "fig-sentence-referrals",
            "n",
            &n(h.referrals),
            "share",
            &format!("{:.0}", share * 100.0),
        )),
        None => out.push(tr.t1("fig-sentence-referrals-only", "n", &n(h.referrals))),
    }
    if let Some(days) = h.median_days_to_close {
        out.push(tr.t1("fig-sentence-close", "days", &days.to_string()));
    }
    out.push(census_sentence(
        tr,
        n(h.migrant_households),
        h.douars_with_migrants,
        h.migrant_household_share,
    ));
    out
}

fn period_form(tr: Tr, period: Option<&Period>, q: &PeriodQuery) -> Markup {
    let text = period
        .and_then(|p| p.text())
        .or_else(|| q.period.clone())
        .unwrap_or_default();
    html! {
        form.period method="get" action="/figures" {
            label { (tr.t("fig-period")) " " input name="period" value=(text) placeholder="2026, 2026-Q4, 2026-11, 2026-11-24" dir="ltr" size="14"; }
            button type="submit" { (tr.t("fig-show")) }
            " " (tr.t("fig-or")) " "
            label { (tr.t("fig-from")) " " input type="date" name="from" value=(q.from.clone().unwrap_or_default()) dir="ltr"; }
            label { (tr.t("fig-to")) " " input type="date" name="to" value=(q.to.clone().unwrap_or_default()) dir="ltr"; }
            button type="submit" { (tr.t("fig-show")) }
        }
    }
}

fn query_of(p: &Period) -> String {
    match p.text() {
        Some(t) => format!("period={t}"),
        None => format!("from={}&to={}", p.from, p.to),
    }
}

/// The figures of a period: `?period=2026` (a year, `2026-Q4`, `2026-11`, `2026-11-24`) or
/// `?from=…&to=…`; the year so far by default.
pub async fn page(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let period = state
        .figures
        .period(q.period.as_deref(), q.from.as_deref(), q.to.as_deref());
    let title = tr.t("fig-title");
    let period = match period {
        Ok(p) => p,
        Err(e) => {
            let body = html! {
                h1 { (title) }
                (period_form(tr, None, &q))
                p.problem role="alert" { (problem(tr, &e)) }
            };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(tr, &title, Some(&page.session), "/figures", body),
            )
                .into_response());
        }
    };
    let scope = scope(&page);
    let f = state
        .figures
        .compute(page.actor(), period, scope.clone())
        .await?;
    let labels = Labels {
        tr,
        book: &state.figures,
    };
    let body = html! {
        div.title-row {
            h1 { (title) " · " bdi dir="ltr" { (period) } }
            a.button href="/register/new" { (tr.t("register-new-title")) }
        }
        @if let Scope::Officer(_) = scope { p.hint { (tr.t("fig-own")) } }
        (period_form(tr, Some(&period), &q))
        section.card.sentences {
            @if f.empty { p.empty { (tr.t("fig-nothing")) } }
            @for s in sentences(tr, &f) { p.sentence { (s) } }
        }
        p.exports {
            a.button href={ "/figures/export.xlsx?" (query_of(&period)) } download { (tr.t("fig-export-xlsx")) }
            " "
            a.button href={ "/figures/export.csv?" (query_of(&period)) } download { (tr.t("fig-export-csv")) }
        }
        p.hint { (tr.t("fig-small-cells")) }
        div.figure-tables {
            @for t in &f.tables { (table_view(&labels, t)) }
            @if scope == Scope::Office {
                (times_view(tr, &labels, "times.by_service", &f.times))
                (times_view(tr, &labels, "times.by_hour", &f.hours))
                table.figures data-table="desks" {
                    caption { (tr.t("fig-desks")) }
                    thead { tr {
                        th { (tr.t("fig-desk")) } th { (tr.t("fig-time-served")) } th { (tr.t("fig-serving-time")) }
                        th { (tr.t("fig-desk-days")) } th { (tr.t("fig-desk-span")) } th { (tr.t("fig-desk-idle")) }
                    } }
                    tbody { @for d in &f.desks { tr {
                        th { (d.desk) } td { (d.served) } td { (minutes(tr, Some(whole_minutes(d.serving_seconds)))) }
                        td { (d.days) } td { (minutes(tr, Some(whole_minutes(d.span_seconds)))) } td { (minutes(tr, Some(whole_minutes(d.idle_seconds)))) }
                    } } }
                }
                p.hint { (tr.t("fig-desk-idle-hint")) }
            }
        }
    };
    Ok(layout(tr, &title, Some(&page.session), "/figures", body).into_response())
}

/// The figures of a period as CSV (`kind` = `csv`) or XLSX.
async fn export_as(
    state: AppState,
    page: Page<DeskWork>,
    q: PeriodQuery,
    xlsx: bool,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let refused =
        |e: &FiguresError| PageError::refused(StatusCode::UNPROCESSABLE_ENTITY, problem(tr, e));
    let period = state
        .figures
        .period(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())
        .map_err(|e| refused(&e))?;
    let f = match state
        .figures
        .compute_for_export(page.actor(), period, scope(&page))
        .await
    {
        Ok(f) => f,
        Err(e @ FiguresError::Empty(_)) => return Err(refused(&e)),
        Err(e) => return Err(e.into()),
    };
    let labels = Labels {
        tr,
        book: &state.figures,
    };
    let name = format!("baom-figures-{}", period.code());
    let (bytes, kind, ext) = if xlsx {
        let title = format!("{} · {}", tr.t("fig-title"), period);
        (
            export::xlsx(&f, &labels, &title)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (export::csv(&f, &labels), "text/csv; charset=utf-8", "csv")
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn export_csv(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    export_as(state, page, q, false).await
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    export_as(state, page, q, true).await
}

#[derive(Deserialize, Default)]
pub struct HouseholdForm {
    #[serde(default)]
    douar: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    abroad: String,
    #[serde(default)]
    internal: String,
    #[serde(default)]
    returnees: String,
    #[serde(default)]
    foreigners: String,
    #[serde(default)]
    countries: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    noted_on: String,
}

impl HouseholdForm {
    fn input(&self) -> HouseholdInput {
        HouseholdInput {
            douar: self.douar.clone(),
            size: self.size.clone(),
            abroad: self.abroad.clone(),
            internal: self.internal.clone(),
            returnees: self.returnees.clone(),
            foreigners: self.foreigners.clone(),
            countries: self.countries.clone(),
            source: self.source.clone(),
            noted_on: self.noted_on.clone(),
        }
    }
}

fn household_page(
    tr: Tr,
    state: &AppState,
    page: &Page<DeskWork>,
    form: &HouseholdForm,
    problem: Option<String>,
    done: bool,
) -> Markup {
    let sources: Vec<(&str, String)> = Source::ALL
        .iter()
        .map(|s| (s.code(), tr.t(&format!("census-source-{}", s.code()))))
        .collect();
    let source = if form.source.is_empty() {
        "field"
    } else {
        form.source.as_str()
    };
    let number = |name: &str, value: &str| {
        html! {
            label { (tr.t(&format!("census-field-{name}"))) " " input type="number" name=(name) value=(value) min="0" max="60" inputmode="numeric" dir="ltr" size="4"; }
        }
    };
    let body = html! {
        section.card.register {
            h1 { (tr.t("census-new-title")) }
            p.hint { (tr.t("census-new-explain")) }
            @if let Some(p) = problem { p.problem role="alert" { (p) } }
            @if done { p.done role="status" { (tr.t("census-saved")) } }
            form method="post" action="/census/households" {
                input type="hidden" name="csrf" value=(page.session.csrf);
                label { (tr.t("field-douar")) " "
                    select name="douar" required {
                        option value="" { "—" }
                        @for d in &state.settings().douars { option value=(d.name) selected[d.name == form.douar] { (d.name) } }
                    }
                }
                (number("size", &form.size))
                (number("abroad", &form.abroad))
                (number("internal", &form.internal))
                (number("returnees", &form.returnees))
                (number("foreigners", &form.foreigners))
                label { (tr.t("census-field-countries")) " " input name="countries" value=(form.countries) dir="ltr" placeholder="FR, ES, BE" size="20"; }
                (choices(tr, "source", &sources, source, true))
                label { (tr.t("census-field-noted_on")) " " input type="date" name="noted_on" value=(form.noted_on) dir="ltr"; }
                button.primary type="submit" { (tr.t("census-save")) }
            }
        }
    };
    layout(
        tr,
        &tr.t("census-new-title"),
        Some(&page.session),
        "/census",
        body,
    )
}

/// The census's form: a household counted in the field (souk day), from the monograph or at
/// the desk.
pub async fn household_form(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    household_page(
        page.tr,
        &state,
        &page,
        &HouseholdForm::default(),
        None,
        q.contains_key("done"),
    )
    .into_response()
}

pub async fn add_household(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    CsrfForm(form): CsrfForm<HouseholdForm>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    match state
        .figures
        .add_household(page.actor(), form.input())
        .await
    {
        Ok(_) => Ok(Redirect::to("/census/new?done=1").into_response()),
        Err(FiguresError::Invalid(e)) => {
            let html = household_page(tr, &state, &page, &form, Some(explain(tr, &e)), false);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The census of migrant households per douar (as of today), and the counts from the dossiers.
pub async fn census_page(
    State(state): State<AppState>,
    page: Page<Supervision>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let (census, from_dossiers) = state.figures.census(page.actor()).await?;
    let share = |n: u32, of: u32| {
        if of > 0 {
            format!("{:.1} %", f64::from(n) * 100.0 / f64::from(of))
        } else {
            "—".into()
        }
    };
    let t = &census.total;
    let body = html! {
        div.title-row {
            h1 { (tr.t("census-title")) }
            a.button href="/census/new" { (tr.t("census-new-title")) }
        }
        p.sentence { (census_sentence(tr, t.migrant_households.to_string(), census.douars_with_migrants, (t.households > 0).then(|| f64::from(t.migrant_households) * 100.0 / f64::from(t.households)))) }
        table.figures.census data-table="census" {
            thead { tr {
                th { (tr.t("field-douar")) } th { (tr.t("census-douar-households")) } th { (tr.t("census-households")) } th { (tr.t("census-share")) }
                th { (tr.t("census-col-abroad")) } th { (tr.t("census-col-internal")) } th { (tr.t("census-col-returnees")) } th { (tr.t("census-col-foreigners")) }
            } }
            tbody {
                @for d in census.douars.iter().chain([&census.total]) {
                    tr data-row=(d.douar) {
                        th { @if d.douar == "total" { (tr.t("fig-total")) } @else { (d.douar) } }
                        td { (d.households) } td data-value=(d.migrant_households) { (d.migrant_households) } td { (share(d.migrant_households, d.households)) }
                        td { (d.abroad) } td { (d.internal) } td { (d.returnees) } td { (d.foreigners) }
                    }
                }
            }
        }
        @if !census.countries.is_empty() {
            p { (tr.t("census-countries")) " " @for (i, (c, n)) in census.countries.iter().enumerate() { @if i > 0 { ", " } bdi dir="ltr" { (c) " (" (n) ")" } } }
        }
        h2 { (tr.t("census-from-dossiers")) }
        p.hint { (tr.t("census-explain")) }
        table.figures.census {
            thead { tr { th { (tr.t("field-douar")) } th { (tr.t("census-households")) } th { (tr.t("census-share")) } th { (tr.t("census-people")) } th { (tr.t("census-women")) } } }
            tbody {
                @for d in &from_dossiers {
                    @let total = state.settings().douars.iter().find(|x| x.name == d.douar).map(|x| x.households).unwrap_or(0);
                    tr {
                        th { @if d.douar.is_empty() { "—" } @else { (d.douar) } }
                        td { (d.households) } td { (share(d.households as u32, total)) } td { (d.people) } td { (d.women) }
                    }
                }
            }
        }
    };
    Ok(layout(
        tr,
        &tr.t("census-title"),
        Some(&page.session),
        "/census",
        body,
    )
    .into_response())
}

/// "203 migrant households over 16 douars, 20 % of the commune's households."
pub fn census_sentence(tr: Tr, households: String, douars: u32, share: Option<f64>) -> String {
    match share {
        Some(p) => tr.ta(
            "fig-sentence-census",
            &[
                ("n", &households),
                ("douars", &douars.to_string()),
                ("share", &format!("{p:.0}")),
            ],
        ),
        None => tr.t2(
            "fig-sentence-census-only",
            "n",
            &households,
            "douars",
            &douars.to_string(),
        ),
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    year: Option<String>,
}

/// The year a report is asked for (this year by default), as a period.
fn report_year(state: &AppState, q: &YearQuery) -> Result<Period, FiguresError> {
    state.figures.period(
        Some(
            q.year
                .as_deref()
                .unwrap_or(&state.figures.today().year().to_string()),
        ),
        None,
        None,
    )
}

fn report_title(tr: Tr, state: &AppState, period: &Period) -> String {
    let settings = state.settings();
    let commune = if tr.language().is_rtl() {
        &settings.commune.name_ar
    } else {
        &settings.commune.name_latin
    };
    tr.t2(
        "report-title",
        "year",
        &period.from.year().to_string(),
        "commune",
        commune,
    )
}

/// The annual activity report: the sentences, charts drawn as SVG on the server, the tables;
/// printable on A4, and as an editable document (`/report/export.docx`).
pub async fn report(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let period = match report_year(&state, &q) {
        Ok(p) => p,
        Err(e) => {
            return Err(PageError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                problem(tr, &e),
            ));
        }
    };
    let f = state
        .figures
        .compute(page.actor(), period, Scope::Office)
        .await?;
    let labels = Labels {
        tr,
        book: &state.figures,
    };
    let title = report_title(tr, &state, &period);
    let rtl = tr.language().is_rtl();
    let chart = |code: &str| {
        f.table(code).map(|t| {
            html! {
                h2 { (labels.table(code)) }
                (super::charts::bars(t, |r| labels.row(code, r), |c| labels.col(code, c), rtl))
            }
        })
    };
    let body = html! {
        article.report {
            div.title-row {
                h1 { (title) }
                a.button href={ "/report/export.docx?year=" (period.from.year()) } download { (tr.t("report-docx")) }
            }
            form.period method="get" action="/report" {
                label { (tr.t("report-year")) " " input name="year" value=(period.from.year()) dir="ltr" size="6" inputmode="numeric"; }
                button type="submit" { (tr.t("fig-show")) }
            }
            @if f.empty { p.empty { (tr.t("fig-nothing")) } }
            section.sentences { @for s in sentences(tr, &f) { p.sentence { (s) } } }
            @for code in crate::figures::chart::REPORT_CHARTS {
                @if let Some(c) = chart(code) { (c) }
            }
            p.hint { (tr.t("fig-small-cells")) }
            div.figure-tables { @for t in &f.tables { (table_view(&labels, t)) } }
        }
    };
    Ok(layout(tr, &title, Some(&page.session), "/report", body).into_response())
}

pub async fn report_docx(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let refused =
        |e: &FiguresError| PageError::refused(StatusCode::UNPROCESSABLE_ENTITY, problem(tr, e));
    let period = report_year(&state, &q).map_err(|e| refused(&e))?;
    let f = match state
        .figures
        .compute_for_export(page.actor(), period, Scope::Office)
        .await
    {
        Ok(f) => f,
        Err(e @ FiguresError::Empty(_)) => return Err(refused(&e)),
        Err(e) => return Err(e.into()),
    };
    let labels = Labels {
        tr,
        book: &state.figures,
    };
    let bytes = export::docx(
        &f,
        &labels,
        &report_title(tr, &state, &period),
        &sentences(tr, &f),
    )?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"baom-report-{}-{}.docx\"",
                    period.code(),
                    tr.language().code()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
