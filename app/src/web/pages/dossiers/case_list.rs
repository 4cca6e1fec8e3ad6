//! The list of cases, as the offices kept it in a spreadsheet: filters (status, procedure, body
//! referred to, officer, douar, profile, sex, overdue, period opened), orders, pages of 50, and
//! the export (CSV, no names). An officer's own open cases come first.

use super::today;
use crate::dossiers::case_list::{self, Listing};
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::pages::extract::{DossierWork, Page};
use crate::web::pages::layout;
use crate::web::pages::refusal::{PageError, explain};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use baom_domain::dossier::listing::{CaseFilter, Order, PAGE_SIZE};
use baom_domain::dossier::{Body, Profile};
use maud::{Markup, html};
use std::collections::HashMap;

fn filter_of(
    state: &AppState,
    q: &HashMap<String, String>,
) -> Result<CaseFilter, baom_domain::dossier::DossierError> {
    let procedures: Vec<String> = state.reference.current().keys().cloned().collect();
    let douars: Vec<String> = state
        .settings()
        .douars
        .iter()
        .map(|d| d.name.clone())
        .collect();
    CaseFilter::parse(q, &procedures, &douars)
}

fn link(q: &[(&'static str, String)], page: u32) -> String {
    let mut parts: Vec<String> = q
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::web::auth::urlencode(v)))
        .collect();
    parts.push(format!("page={page}"));
    format!("/cases?{}", parts.join("&"))
}

fn filters(tr: Tr, state: &AppState, q: &HashMap<String, String>) -> Markup {
    let v = |k: &str| q.get(k).cloned().unwrap_or_default();
    let select = |name: &str, label: String, options: Vec<(String, String)>| {
        let chosen = v(name);
        html! {
            label { (label) " "
                select name=(name) {
                    option value="" { "—" }
                    @for (code, text) in &options { option value=(code) selected[*code == chosen] { (text) } }
                }
            }
        }
    };
    let status = v("status");
    html! {
        form.period.case-filters method="get" action="/cases" {
            label { (tr.t("cases-filter-status")) " "
                select name="status" {
                    @for (code, key) in [("open", "cases-open"), ("closed", "cases-closed"), ("all", "cases-all")] {
                        option value=(code) selected[status == code || (status.is_empty() && code == "open")] { (tr.t(key)) }
                    }
                }
            }
            (select("procedure", tr.t("field-procedure"), state.reference.current().iter().map(|(id, p)| (id.clone(), p.procedure.names.get(tr.language()).to_owned())).chain([("none".into(), tr.t("fig-no-procedure"))]).collect()))
            (select("body", tr.t("referral-body"), Body::ALL.iter().map(|b| (b.as_str().to_owned(), tr.t(&format!("body-{}", b.as_str())))).collect()))
            label { (tr.t("cases-filter-officer")) " " input name="officer" value=(v("officer")) size="10" dir="ltr"; }
            (select("douar", tr.t("field-douar"), state.settings().douars.iter().map(|d| (d.name.clone(), d.name.clone())).collect()))
            (select("profile", tr.t("field-profile"), Profile::ALL.iter().map(|p| (p.as_str().to_owned(), tr.t(&format!("profile-{}", p.as_str())))).collect()))
            (select("sex", tr.t("field-sex"), ["female", "male"].iter().map(|s| (s.to_string(), tr.t(&format!("sex-{s}")))).collect()))
            label.check { input type="checkbox" name="overdue" value="1" checked[v("overdue") == "1"]; " " (tr.t("cases-filter-overdue")) }
            label { (tr.t("fig-from")) " " input type="date" name="from" value=(v("from")) dir="ltr"; }
            label { (tr.t("fig-to")) " " input type="date" name="to" value=(v("to")) dir="ltr"; }
            (select("order", tr.t("cases-order"), Order::ALL.iter().map(|(_, c)| (c.to_string(), tr.t(&format!("cases-order-{c}")))).collect()))
            button type="submit" { (tr.t("fig-show")) }
        }
    }
}

fn table(tr: Tr, listing: &Listing) -> Markup {
    html! {
        table.figures.case-list {
            thead { tr {
                th { "#" } th { (tr.t("people-title")) } th { (tr.t("field-need")) } th { (tr.t("cases-filter-status")) }
                th { (tr.t("cases-opened-on")) } th { (tr.t("cases-filter-officer")) } th { (tr.t("follow-up-title")) } th { (tr.t("referral-body")) } th { (tr.t("field-douar")) }
            } }
            tbody {
                @for r in &listing.rows {
                    tr.overdue[r.overdue] data-case=(r.case_id) {
                        td { a href={ "/cases/" (r.case_id) } { (r.case_id) } }
                        td { a href={ "/people/" (r.person_id) } { bdi { (r.person) } } }
                        td { bdi { (r.need) } }
                        td { (tr.t(&format!("cases-{}", r.status))) @if r.overdue { " " span.flag { (tr.t("cases-overdue")) } } }
                        td dir="ltr" { (r.opened_on) } td dir="ltr" { (r.opened_by) } td dir="ltr" { (r.follow_up_on.clone().unwrap_or_default()) }
                        td { @for (i, b) in r.bodies.iter().enumerate() { @if i > 0 { ", " } (tr.t(&format!("body-{b}"))) } }
                        td { (r.douar.clone().unwrap_or_default()) }
                    }
                }
            }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let title = tr.t("cases-list-title");
    let f = match filter_of(&state, &q) {
        Ok(f) => f,
        Err(e) => {
            let body = html! { h1 { (title) } (filters(tr, &state, &q)) p.problem role="alert" { (explain(tr, &e)) } };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(tr, &title, Some(&page.session), "/cases", body),
            )
                .into_response());
        }
    };
    let who = page.actor();
    let day = today(&state);
    let filter = f.clone();
    let listing = state
        .dossiers
        .run(move |db| case_list::list(db, &who, &filter, day))
        .await?;
    let query = f.query();
    let pages = listing.total.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
    let export = link(&query, 1).replacen("/cases?", "/cases/export.csv?", 1);
    let body = html! {
        div.title-row {
            h1 { (title) }
            a.button href=(export) download { (tr.t("fig-export-csv")) }
        }
        (filters(tr, &state, &q))
        p.hint #case-count { (tr.tn("cases-count", "n", listing.total as i64)) }
        (table(tr, &listing))
        @if pages > 1 {
            nav.pages {
                @if f.page > 1 { a href=(link(&query, f.page - 1)) { (tr.t("cases-previous")) } " " }
                (tr.t2("cases-page", "page", &f.page.to_string(), "pages", &pages.to_string()))
                @if f.page < pages { " " a href=(link(&query, f.page + 1)) { (tr.t("cases-next")) } }
            }
        }
    };
    Ok(layout(tr, &title, Some(&page.session), "/cases", body).into_response())
}

pub async fn export(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let f = filter_of(&state, &q)
        .map_err(|e| PageError::refused(StatusCode::UNPROCESSABLE_ENTITY, explain(tr, &e)))?;
    let who = page.actor();
    let day = today(&state);
    let rows = state
        .dossiers
        .run(move |db| case_list::export(db, &who, &f, day))
        .await?;
    if rows.is_empty() {
        return Err(PageError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("cases-export-none"),
        ));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"baom-cases-{day}.csv\""),
            ),
        ],
        case_list::to_csv(&rows),
    )
        .into_response())
}
