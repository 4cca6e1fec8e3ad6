//! Merging two records of one person (supervisors): both side by side with what would move,
//! the merge with its reason, and its undo. The rules and the storage are in
//! `baom_domain::dossier::merge` and `crate::dossiers::merge`.

use crate::dossiers::DossierStoreError;
use crate::dossiers::merge::{self as store, Merge};
use crate::dossiers::people::StoredPerson;
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::pages::extract::{CsrfForm, Page, PersonId, Supervision};
use crate::web::pages::layout;
use crate::web::pages::refusal::{PageError, explain};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

fn card(tr: Tr, title: &str, p: &StoredPerson) -> Markup {
    let person = &p.person;
    html! {
        section.card.merge-side {
            h2 { (title) }
            p { strong { bdi { (p.display_name()) } } " " small { (tr.t1("audit-person-link", "n", &p.id.to_string())) } }
            dl.facts {
                dt { (tr.t("field-sex")) } dd { (tr.t(&format!("sex-{}", person.sex.as_str()))) }
                dt { (tr.t("field-birth_date")) } dd { (person.birth_date.map(|b| b.to_string()).unwrap_or_else(|| "—".into())) }
                dt { (tr.t("field-profile")) } dd { (tr.t(&format!("profile-{}", person.profile.as_str()))) }
                dt { (tr.t("field-douar")) } dd { (person.douar.as_deref().unwrap_or("—")) }
                dt { (tr.t("field-phone")) } dd { bdi dir="ltr" { (person.phone.as_deref().unwrap_or("—")) } }
            }
        }
    }
}

/// `/people/{id}/merge?with=N`: the record to keep and the one to fold into it, side by side.
pub async fn preview(
    State(state): State<AppState>,
    page: Page<Supervision>,
    PersonId(keep): PersonId,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let who = page.actor();
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let Some(away) = query.get("with").and_then(|w| w.trim().parse::<i64>().ok()) else {
        return Ok(Redirect::to(&format!(
            "/people/{keep}?problem={}#merges",
            crate::web::auth::urlencode(&tr.t("merge-which"))
        ))
        .into_response());
    };
    let p = state
        .dossiers
        .run(move |db| store::preview(db, &who, keep, away))
        .await?;
    let problem = query.get("problem").cloned();
    let m = &p.moves;
    let body = html! {
        h1 { (tr.t("merge-title")) }
        @if let Some(problem) = problem { p.problem role="alert" { (problem) } }
        p { (tr.t("merge-explain")) }
        div.merge-pair {
            (card(tr, &tr.t("merge-keep"), &p.keep))
            (card(tr, &tr.t("merge-away"), &p.away))
        }
        p #merge-moves { (tr.t2("merge-moves", "cases", &m.cases.len().to_string(), "visits", &m.visits.len().to_string())) " " (tr.t1("merge-moves-scans", "scans", &m.scans.len().to_string())) }
        form.card method="post" action={ "/people/" (keep) "/merge" } data-confirm=(tr.t("merge-confirm-question")) {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="with" value=(away);
            label { (tr.t("merge-reason")) textarea name="reason" dir="auto" rows="2" maxlength="4000" required {} }
            button.danger type="submit" { (tr.t("merge-submit")) }
        }
        p { a href={ "/people/" (keep) } { (tr.t("merge-cancel")) } }
    };
    Ok(layout(
        tr,
        &tr.t("merge-title"),
        Some(session),
        &format!("/people/{keep}"),
        body,
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    with: String,
    #[serde(default)]
    reason: String,
}

/// Folds the record `with` into this one; a refusal comes back to the preview with its reason.
pub async fn merge(
    State(state): State<AppState>,
    page: Page<Supervision>,
    PersonId(keep): PersonId,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> Result<Response, PageError> {
    let who = page.actor();
    let tr = page.tr;
    let Ok(away) = form.with.trim().parse::<i64>() else {
        return Err(PageError::BadForm);
    };
    let reason = form.reason.clone();
    match state
        .dossiers
        .run(move |db| store::merge(db, &who, keep, away, &reason))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/people/{keep}#merges")).into_response()),
        Err(DossierStoreError::Invalid(e)) => Ok(Redirect::to(&format!(
            "/people/{keep}/merge?with={away}&problem={}",
            crate::web::auth::urlencode(&explain(tr, &e))
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct Nothing {}

/// Undoes merge `id`: both records are people again, each with what it had.
pub async fn undo(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    _: CsrfForm<Nothing>,
) -> Result<Response, PageError> {
    let who = page.actor();
    let tr = page.tr;
    let back = query
        .get("back")
        .and_then(|b| b.parse::<i64>().ok())
        .map_or_else(|| "/people".to_owned(), |p| format!("/people/{p}"));
    match state
        .dossiers
        .run(move |db| store::undo(db, &who, id))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{back}#merges")).into_response()),
        Err(DossierStoreError::Invalid(e)) => Ok(Redirect::to(&format!(
            "{back}?problem={}#merges",
            crate::web::auth::urlencode(&explain(tr, &e))
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The person page's part: the merges this record took part in, and for supervisors the way to
/// fold another record into it.
pub fn section(tr: Tr, csrf: &str, person: i64, merges: &[Merge], supervises: bool) -> Markup {
    html! {
        section.card.merges #merges {
            h2 { (tr.t("merge-history")) }
            @if merges.is_empty() { p.empty { (tr.t("merge-none")) } }
            ul {
                @for m in merges {
                    li {
                        (m.at.get(..10).unwrap_or(&m.at)) " · "
                        (tr.t2("merge-line", "merged", &m.merged.to_string(), "kept", &m.kept.to_string()))
                        " · " bdi dir="auto" { (m.reason) } " · " bdi { (m.actor) }
                        @if m.undone_at.is_some() { " · " span.flag { (tr.t("merge-undone")) } }
                        @else if supervises {
                            form.inline method="post" action={ "/merges/" (m.id) "/undo?back=" (person) } data-confirm=(tr.t("merge-undo-question")) {
                                input type="hidden" name="csrf" value=(csrf);
                                button type="submit" { (tr.t("merge-undo")) }
                            }
                        }
                    }
                }
            }
            @if supervises {
                form.inline method="get" action={ "/people/" (person) "/merge" } {
                    label { (tr.t("merge-with")) input name="with" inputmode="numeric" required; }
                    button type="submit" { (tr.t("merge-compare")) }
                }
            }
        }
    }
}

/// The page of a record merged into another: the kept one's address, if it was merged.
pub async fn kept_of(state: &AppState, id: i64) -> Option<i64> {
    state
        .dossiers
        .run(move |db| store::kept_of(db, id))
        .await
        .ok()
        .flatten()
}
