//! The register and the figures in the LAN's JSON API (officers and supervisors; officers get
//! their own figures):
//!
//! - `POST /api/v1/register` `{"ticket": 12}` or `{"channel": "phone", "day": "2026-11-24"}`, with
//!   `sex, profile, age_band, nationality, douar, need, outcome` → `{"id": 7}`
//! - `GET /api/v1/figures?period=2026` (or `2026-Q4`, `2026-11`, `2026-11-24`, or
//!   `from=…&to=…`) → the period's figures as the page shows them: numbers, `"<5"` and `"x"`.

use super::json::ApiJson;
use super::{ApiError, AppState};
use crate::accounts::Session;
use crate::figures::FiguresError;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use baom_domain::figures::compute::Times;
use baom_domain::figures::register::EntryInput;
use baom_domain::figures::{Figures, Scope, Shown};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn lan_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/register", post(record))
        .route("/api/v1/figures", get(figures))
}

impl From<FiguresError> for ApiError {
    fn from(e: FiguresError) -> ApiError {
        match e {
            FiguresError::Dossiers(d) => d.into(),
            FiguresError::Store(s) => s.into(),
            FiguresError::Invalid(d) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                d.code,
                format!("{}: {}", d.field, d.message),
            ),
            FiguresError::UnknownTicket => ApiError::unknown_ticket("given"),
            e @ FiguresError::Export(_) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            }
            e => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()),
        }
    }
}

fn worker(session: &Session) -> Result<Scope, ApiError> {
    let role = session.account.role;
    if !role.works_at_desk() {
        return Err(ApiError::forbidden(role));
    }
    Ok(if role.supervises() {
        Scope::Office
    } else {
        Scope::Officer(session.account.login.clone())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    #[serde(default)]
    ticket: Option<u64>,
    #[serde(default)]
    day: Option<String>,
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

async fn record(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    worker(&session)?;
    let input = EntryInput {
        channel: body.channel,
        sex: body.sex,
        profile: body.profile,
        age_band: body.age_band,
        nationality: body.nationality,
        douar: body.douar,
        need: body.need,
        outcome: body.outcome,
    };
    let id = state
        .figures
        .record(
            session.account.login.clone(),
            body.ticket,
            body.day.as_deref(),
            input,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[derive(Deserialize)]
struct PeriodQuery {
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn shown(v: Shown) -> Value {
    match v {
        Shown::Value(n) => json!(n),
        other => json!(other.to_string()),
    }
}

fn times(t: &Times) -> Value {
    json!({
        "group": t.group, "called": t.called, "served": t.served,
        "wait_median_min": t.wait_median, "wait_p90_min": t.wait_p90,
        "service_median_min": t.service_median, "service_p90_min": t.service_p90,
        // Seconds, as the API first gave them: now whole minutes, in seconds.
        "wait_median_s": t.wait_median.map(|m| u64::from(m) * 60), "wait_p90_s": t.wait_p90.map(|m| u64::from(m) * 60),
        "service_median_s": t.service_median.map(|m| u64::from(m) * 60), "service_p90_s": t.service_p90.map(|m| u64::from(m) * 60),
        "within_target": t.within_target.map(shown), "within_target_share": t.within_target_share,
    })
}

/// The figures as JSON (the page's numbers, suppressed alike).
pub fn view(f: &Figures) -> Value {
    let h = &f.headline;
    json!({
        "period": { "from": f.period.from.to_string(), "to": f.period.to.to_string(), "code": f.period.code() },
        "scope": match &f.scope { Scope::Office => "office".to_owned(), Scope::Officer(l) => format!("officer:{l}") },
        "empty": f.empty,
        "headline": {
            "visits": shown(h.visits), "visits_women": shown(h.visits_women),
            "dossiers": shown(h.dossiers), "dossiers_women": shown(h.dossiers_women),
            "foreigners_accompanied": shown(h.foreigners_accompanied),
            "referrals": shown(h.referrals), "counter_referral_share": h.counter_referral_share,
            "median_days_to_close": h.median_days_to_close,
            "migrant_households": shown(h.migrant_households),
            "douars_with_migrants": h.douars_with_migrants,
            "migrant_household_share": h.migrant_household_share,
        },
        "tables": f.tables.iter().map(|t| json!({
            "code": t.code, "rows": t.rows, "cols": t.cols,
            "cells": t.cells.iter().map(|r| r.iter().map(|v| shown(*v)).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "row_totals": t.row_totals.as_ref().map(|r| r.iter().map(|v| shown(*v)).collect::<Vec<_>>()),
            "col_totals": t.col_totals.iter().map(|v| shown(*v)).collect::<Vec<_>>(),
            "total": shown(t.total),
        })).collect::<Vec<_>>(),
        "times": f.times.iter().map(times).collect::<Vec<_>>(),
        "hours": f.hours.iter().map(times).collect::<Vec<_>>(),
        "desks": f.desks.iter().map(|d| json!({ "desk": d.desk, "served": d.served, "serving_s": d.serving_seconds, "days": d.days, "span_s": d.span_seconds, "idle_s": d.idle_seconds })).collect::<Vec<_>>(),
    })
}

async fn figures(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = worker(&session)?;
    let period = state
        .figures
        .period(q.period.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let f = state
        .figures
        .compute(session.account.login.clone(), period, scope)
        .await?;
    Ok(Json(view(&f)))
}
