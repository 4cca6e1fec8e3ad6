//! The pooled figures, for supervisors: the commune's code and the box's public key (what the
//! province's registry holds), a period's batch made in one step, each batch's file to
//! download or copy to the backup stick, and where its push to the province stands. The rules
//! and the storage are `crate::pooling`'s.

use super::extract::{CsrfForm, Page, Supervision};
use super::layout;
use super::refusal::PageError;
use crate::i18n::Tr;
use crate::pooling::{BatchRow, PoolingError};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

fn problem(tr: Tr, e: &PoolingError) -> String {
    let key = match e {
        PoolingError::Figures(f) => format!("fig-error-{}", f.code()),
        e => format!("pool-error-{}", e.code()),
    };
    let text = tr.t(&key);
    if text == key { e.to_string() } else { text }
}

fn state_word(tr: Tr, b: &BatchRow, pushes: bool) -> String {
    if !pushes && b.push_state == "waiting" {
        return tr.t("pool-state-files");
    }
    tr.t(&format!("pool-state-{}", b.push_state))
}

async fn render(
    state: &AppState,
    page: &Page<Supervision>,
    period: &str,
    notice: Option<String>,
    problem: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let batches = state
        .pooling
        .list()
        .await
        .map_err(|e| PageError::Failed(e.to_string()))?;
    let settings = state.settings();
    let pushes = state.pooling.pushes();
    let stick = settings.backup.usb_dir.is_some();
    let body = html! {
        h1 { (tr.t("pool-title")) }
        p { (tr.t("pool-explain")) }
        @if let Some(n) = &notice { p.verified role="status" #pool-notice { (n) } }
        @if let Some(p) = &problem { p.problem role="alert" #pool-problem { (p) } }
        section.card #pool-box {
            dl.facts {
                dt { (tr.t("pool-code")) }
                dd #pool-code dir="ltr" { @if settings.commune.code.is_empty() { (tr.t("pool-no-code")) } @else { (settings.commune.code) } }
                dt { (tr.t("pool-key")) }
                dd #pool-key dir="ltr" { code { (state.pooling.public_key()) } }
                dt { (tr.t("pool-server")) }
                dd #pool-server { @if pushes { (tr.t("pool-server-set")) } @else { (tr.t("pool-server-none")) } }
            }
        }
        form.card #pool-make method="post" action="/pooling" {
            input type="hidden" name="csrf" value=(page.session.csrf);
            label { (tr.t("pool-period")) " " input name="period" value=(period) dir="ltr" size="8" placeholder="2026" required; }
            p.hint { (tr.t("pool-period-hint")) }
            button.primary type="submit" { (tr.t("pool-make")) }
        }
        @if batches.is_empty() { p.empty { (tr.t("pool-none")) } }
        @else {
            table.pool-batches {
                thead { tr {
                    th { (tr.t("pool-col-batch")) } th { (tr.t("pool-col-period")) } th { (tr.t("pool-col-made")) }
                    th { (tr.t("pool-col-rows")) } th { (tr.t("pool-col-push")) } th { (tr.t("pool-col-file")) }
                } }
                tbody {
                    @for b in &batches {
                        tr data-batch=(b.id) data-state=(b.push_state) {
                            td dir="ltr" { (b.id) @if let Some(r) = &b.replaces { br; small { (tr.t1("pool-replaces", "id", r)) } } }
                            td dir="ltr" { (b.period) }
                            td { bdi dir="ltr" { (b.made_at.get(..16).unwrap_or(&b.made_at).replace('T', " ")) } " · " (b.made_by) }
                            td { (b.rows) }
                            td {
                                (state_word(tr, b, pushes))
                                @if let Some(at) = &b.pushed_at { br; small dir="ltr" { (at.get(..16).unwrap_or(at).replace('T', " ")) } }
                                @if let Some(n) = &b.push_note { br; small.note { (n) } }
                            }
                            td {
                                a href={ "/pooling/" (b.id) ".json" } download { (tr.t("pool-download")) }
                                @if stick {
                                    form.inline method="post" action={ "/pooling/" (b.id) "/stick" } {
                                        input type="hidden" name="csrf" value=(page.session.csrf);
                                        button type="submit" { (tr.t("pool-to-stick")) }
                                    }
                                }
                                @if let Some(place) = &b.on_stick { br; small dir="ltr" { (place) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok((
        status,
        layout(
            tr,
            &tr.t("pool-title"),
            Some(&page.session),
            "/pooling",
            body,
        ),
    )
        .into_response())
}

pub async fn page(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let notice = q
        .get("made")
        .map(|id| tr.t1("pool-made", "id", id))
        .or_else(|| q.get("copied").map(|p| tr.t1("pool-copied", "place", p)));
    let year = state.figures.today().year().to_string();
    render(&state, &page, &year, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct MakeForm {
    #[serde(default)]
    period: String,
}

pub async fn make(
    State(state): State<AppState>,
    page: Page<Supervision>,
    CsrfForm(form): CsrfForm<MakeForm>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let made = match state.figures.period(Some(&form.period), None, None) {
        Ok(period) => state.pooling.make(page.actor(), period).await,
        Err(e) => Err(PoolingError::Figures(e)),
    };
    match made {
        Ok(b) => Ok(Redirect::to(&format!("/pooling?made={}", b.id)).into_response()),
        Err(e @ (PoolingError::Store(_) | PoolingError::Key(_))) => {
            Err(PageError::Failed(e.to_string()))
        }
        Err(e) => {
            let p = problem(tr, &e);
            render(
                &state,
                &page,
                &form.period,
                None,
                Some(p),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `/pooling/{id}.json`: the signed file.
pub async fn file(
    State(state): State<AppState>,
    _: Page<Supervision>,
    Path(name): Path<String>,
) -> Result<Response, PageError> {
    let id = name.strip_suffix(".json").unwrap_or(&name).to_owned();
    match state.pooling.file(id).await {
        Ok((b, bytes)) => Ok((
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.json\"", b.id),
                ),
            ],
            bytes,
        )
            .into_response()),
        Err(PoolingError::UnknownBatch) => Err(PageError::NotFound("error-not-found")),
        Err(e) => Err(PageError::Failed(e.to_string())),
    }
}

pub async fn to_stick(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    match state.pooling.copy_to_stick(id).await {
        Ok(place) => {
            let place = place.display().to_string();
            let q = serde_urlencoded::to_string([("copied", place)]).unwrap_or_default();
            Ok(Redirect::to(&format!("/pooling?{q}")).into_response())
        }
        Err(PoolingError::UnknownBatch) => Err(PageError::NotFound("error-not-found")),
        Err(e) => {
            let p = problem(tr, &e);
            let year = state.figures.today().year().to_string();
            render(
                &state,
                &page,
                &year,
                None,
                Some(p),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
