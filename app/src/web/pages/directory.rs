//! The directory of bodies and partners: officers read it (and a referral picks its body from
//! it, on the case page); supervisors add, change and remove partners, export the file and
//! import another commune's after seeing what it adds, changes and removes. The storage and
//! rules are `crate::directory`'s and `baom_domain::directory`'s.

use super::extract::{CsrfForm, DossierWork, Fields, Page, Supervision};
use super::layout;
use super::refusal::PageError;
use crate::directory::DirectoryStoreError;
use crate::i18n::Tr;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::directory::Partner;
use baom_domain::dossier::Body;
use baom_domain::language::Language;
use maud::{Markup, html};
use std::collections::HashMap;

fn language_names(tr: Tr, languages: &[Language]) -> String {
    let _ = tr;
    languages
        .iter()
        .map(|l| crate::i18n::text(*l, "language-name", &[]))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn list(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DossierWork>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let current = state.directory.current();
    let reference = state.reference.current();
    let lang = tr.language();
    let supervisor = session.account.role.supervises();
    let body = html! {
        h1 { (tr.t("admin-directory-title")) }
        p { (tr.t("admin-directory-explain")) }
        @if let Some(n) = query.get("imported") { p.verified role="status" { (tr.t1("admin-directory-imported", "n", n)) } }
        @if current.items.is_empty() { p.empty { (tr.t("admin-directory-empty")) } }
        @for kind in Body::ALL {
            @let partners: Vec<&Partner> = current.items.iter().filter(|p| p.kind == kind).collect();
            @if !partners.is_empty() {
                section.card.partners data-kind=(kind.as_str()) {
                    h2 { (tr.t(&format!("body-{}", kind.as_str()))) }
                    @for p in partners {
                        article.partner data-id=(p.id) {
                            h3 { (p.name) @if !p.name_ar.is_empty() { " · " bdi lang="ar" dir="rtl" { (p.name_ar) } } }
                            dl.facts {
                                @if !p.address.is_empty() { dt { (tr.t("admin-partner-address")) } dd { (p.address) } }
                                @if !p.phone.is_empty() { dt { (tr.t("field-phone")) } dd dir="ltr" { a href={ "tel:" (p.phone.replace(' ', "")) } { (p.phone) } } }
                                @if !p.hours.is_empty() { dt { (tr.t("admin-partner-hours")) } dd { (p.hours) } }
                                @if !p.contact.is_empty() { dt { (tr.t("admin-partner-contact")) } dd { (p.contact) } }
                                @if !p.languages.is_empty() { dt { (tr.t("field-languages")) } dd { (language_names(tr, &p.languages)) } }
                                @if !p.procedures.is_empty() {
                                    dt { (tr.t("admin-partner-procedures")) }
                                    dd { @for (i, id) in p.procedures.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        @match reference.get(id) {
                                            Some(v) => { a href={ "/reference/" (id) } { (v.procedure.names.get(lang)) } }
                                            None => { span dir="ltr" { (id) } }
                                        }
                                    } }
                                }
                            }
                            @if supervisor { p { a href={ "/directory/" (p.id) } { (tr.t("admin-edit")) } } }
                        }
                    }
                }
            }
        }
        p { a href="/directory/export.toml" download="partners.toml" { (tr.t("admin-directory-export")) } }
        @if supervisor {
            p { a.button href="/directory/new" { (tr.t("admin-directory-new")) } }
            (import_form(tr, &session.csrf, ""))
        }
    };
    layout(
        tr,
        &tr.t("admin-directory-title"),
        Some(&session),
        "/directory",
        body,
    )
    .into_response()
}

fn import_form(tr: Tr, csrf: &str, text: &str) -> Markup {
    html! {
        form.card #directory-import method="post" action="/directory/import" {
            input type="hidden" name="csrf" value=(csrf);
            label { (tr.t("admin-directory-import")) textarea name="file" rows="8" dir="ltr" required { (text) } }
            button type="submit" { (tr.t("admin-import-preview")) }
        }
    }
}

pub async fn export(State(state): State<AppState>, _: Page<DossierWork>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"partners.toml\"",
            ),
        ],
        state.directory.export(),
    )
        .into_response()
}

/// The partner form's values as typed.
fn from_form(f: &Fields) -> Result<Partner, String> {
    let kind = Body::parse(f.get("kind")).map_err(|e| e.message)?;
    let languages = f
        .all("language")
        .into_iter()
        .map(|l| l.parse::<Language>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Partner {
        id: f.get("id").trim().to_owned(),
        kind,
        name: f.get("name").trim().to_owned(),
        name_ar: f.get("name_ar").trim().to_owned(),
        address: f.get("address").trim().to_owned(),
        phone: f.get("phone").trim().to_owned(),
        hours: f.get("hours").trim().to_owned(),
        contact: f.get("contact").trim().to_owned(),
        languages,
        procedures: f.all("procedure").into_iter().map(str::to_owned).collect(),
    })
}

fn partner_page(
    state: &AppState,
    page: &Page<Supervision>,
    was: Option<&str>,
    p: &Partner,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let session = &page.session;
    let lang = tr.language();
    let action = match was {
        Some(id) => format!("/directory/{id}"),
        None => "/directory/new".to_owned(),
    };
    let title = match was {
        Some(_) => p.name.clone(),
        None => tr.t("admin-directory-new"),
    };
    let reference = state.reference.current();
    let body = html! {
        h1 { (title) }
        @if let Some(problem) = &problem { p.problem role="alert" #partner-problem { (problem) } }
        form.card.partner method="post" action=(action) {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="action" value="save";
            label { (tr.t("admin-id")) input name="id" value=(p.id) dir="ltr" required maxlength="64" pattern="[a-z0-9][a-z0-9-]*"; }
            p.hint { (tr.t("admin-id-hint")) }
            label { (tr.t("admin-partner-kind"))
                select name="kind" {
                    @for b in Body::ALL { option value=(b.as_str()) selected[p.kind == b] { (tr.t(&format!("body-{}", b.as_str()))) } }
                }
            }
            label { (tr.t("admin-partner-name")) input name="name" value=(p.name) required maxlength="120"; }
            label { (tr.t("admin-partner-name-ar")) input name="name_ar" value=(p.name_ar) lang="ar" dir="rtl" maxlength="120"; }
            label { (tr.t("admin-partner-address")) textarea name="address" rows="2" maxlength="300" { (p.address) } }
            label { (tr.t("field-phone")) input name="phone" value=(p.phone) dir="ltr" inputmode="tel" maxlength="40"; }
            label { (tr.t("admin-partner-hours")) input name="hours" value=(p.hours) maxlength="200"; }
            label { (tr.t("admin-partner-contact")) input name="contact" value=(p.contact) maxlength="120"; }
            fieldset {
                legend { (tr.t("field-languages")) }
                @for l in Language::ALL {
                    label.check { input type="checkbox" name="language" value=(l.code()) checked[p.languages.contains(&l)]; " " (crate::i18n::text(l, "language-name", &[])) }
                }
            }
            fieldset {
                legend { (tr.t("admin-partner-procedures")) }
                @for (id, v) in reference.iter() {
                    label.check { input type="checkbox" name="procedure" value=(id) checked[p.handles(id)]; " " (v.procedure.names.get(lang)) }
                }
            }
            button.primary type="submit" { (tr.t("admin-save")) }
        }
        @if was.is_some() {
            form.card method="post" action=(action) {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="action" value="remove";
                p.hint { (tr.t("admin-partner-remove-explain")) }
                button.danger type="submit" { (tr.t("admin-remove")) }
            }
        }
    };
    (status, layout(tr, &title, Some(session), &action, body)).into_response()
}

fn blank() -> Partner {
    Partner {
        id: String::new(),
        kind: Body::Association,
        name: String::new(),
        name_ar: String::new(),
        address: String::new(),
        phone: String::new(),
        hours: String::new(),
        contact: String::new(),
        languages: Vec::new(),
        procedures: Vec::new(),
    }
}

pub async fn new_form(State(state): State<AppState>, page: Page<Supervision>) -> Response {
    partner_page(&state, &page, None, &blank(), None, StatusCode::OK)
}

pub async fn edit_form(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let p = state
        .directory
        .get(&id)
        .ok_or(PageError::NotFound("error-not-found"))?;
    Ok(partner_page(
        &state,
        &page,
        Some(&id),
        &p,
        None,
        StatusCode::OK,
    ))
}

fn explain(tr: Tr, e: &DirectoryStoreError) -> Option<String> {
    Some(match e {
        DirectoryStoreError::Invalid(d) => format!(
            "{} ({}) · {}",
            tr.t("admin-partner-refused"),
            tr.t(&format!("admin-partner-field-{}", d.field)),
            d.message
        ),
        DirectoryStoreError::Exists(id) => tr.t1("admin-partner-exists", "id", id),
        DirectoryStoreError::Stale => tr.t("admin-import-stale"),
        _ => return None,
    })
}

async fn save(
    state: &AppState,
    page: &Page<Supervision>,
    was: Option<String>,
    fields: &Fields,
) -> Result<Response, PageError> {
    let tr = page.tr;
    if fields.get("action") == "remove" {
        let id = was.ok_or(PageError::BadForm)?;
        return match state.directory.remove(id, page.actor()).await {
            Ok(()) => Ok(Redirect::to("/directory").into_response()),
            Err(e) => Err(PageError::Failed(e.to_string())),
        };
    }
    let typed = from_form(fields);
    let shown = typed.clone().unwrap_or_else(|_| Partner {
        id: fields.get("id").to_owned(),
        name: fields.get("name").to_owned(),
        ..blank()
    });
    let refused = |problem: String| {
        Ok(partner_page(
            state,
            page,
            was.as_deref(),
            &shown,
            Some(problem),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    };
    let partner = match typed {
        Ok(p) => p,
        Err(why) => return refused(format!("{} · {why}", tr.t("admin-partner-refused"))),
    };
    match state
        .directory
        .save(was.clone(), partner, page.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/directory").into_response()),
        Err(e) => match explain(tr, &e) {
            Some(problem) => refused(problem),
            None => Err(PageError::Failed(e.to_string())),
        },
    }
}

pub async fn create(
    State(state): State<AppState>,
    page: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    save(&state, &page, None, &fields).await
}

pub async fn change(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    if state.directory.get(&id).is_none() {
        return Err(PageError::NotFound("error-not-found"));
    }
    save(&state, &page, Some(id), &fields).await
}

pub async fn preview(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Response {
    let text = fields.get("file").to_owned();
    let (body, status) = match state.directory.preview(&text) {
        Err(e) => (
            html! {
                h1 { (tr.t("admin-directory-title")) }
                p.problem role="alert" { (tr.t("admin-import-refused")) ": " (e) }
                (import_form(tr, &session.csrf, &text))
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Ok(preview) => {
            let c = &preview.changes;
            (
                html! {
                    h1 { (tr.t("admin-import-title")) }
                    p #import-summary { (tr.ta("admin-import-summary", &[
                        ("added", &c.added.len().to_string()),
                        ("changed", &c.changed.len().to_string()),
                        ("removed", &c.removed.len().to_string()),
                        ("same", &c.unchanged.to_string()),
                    ])) }
                    section.card #import-added { h2 { (tr.t("admin-import-added")) } @if c.added.is_empty() { p.empty { "—" } } ul { @for p in &c.added { li data-id=(p.id) { (p.name) } } } }
                    section.card #import-changed { h2 { (tr.t("admin-import-changed")) } @if c.changed.is_empty() { p.empty { "—" } } ul { @for (_, p, fields) in &c.changed { li data-id=(p.id) { (p.name) " — " span.hint { (fields.iter().map(|f| tr.t(&format!("admin-partner-field-{f}"))).collect::<Vec<_>>().join(", ")) } } } } }
                    section.card #import-removed { h2 { (tr.t("admin-import-removed")) } @if c.removed.is_empty() { p.empty { "—" } } ul { @for p in &c.removed { li data-id=(p.id) { (p.name) } } } }
                    form.card method="post" action="/directory/import/confirm" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="base" value=(preview.base);
                        textarea name="file" hidden { (text) }
                        button.primary type="submit" disabled[c.is_empty()] { (tr.t("admin-import-apply")) }
                        " " a href="/directory" { (tr.t("admin-cancel")) }
                    }
                },
                StatusCode::OK,
            )
        }
    };
    (
        status,
        layout(
            tr,
            &tr.t("admin-import-title"),
            Some(&session),
            "/directory",
            body,
        ),
    )
        .into_response()
}

pub async fn confirm(
    State(state): State<AppState>,
    page: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let base = fields
        .get("base")
        .parse::<i64>()
        .map_err(|_| PageError::BadForm)?;
    match state
        .directory
        .import(fields.get("file").to_owned(), base, page.actor())
        .await
    {
        Ok(n) => Ok(Redirect::to(&format!("/directory?imported={n}")).into_response()),
        Err(e) => match explain(page.tr, &e) {
            Some(problem) => Err(PageError::refused(StatusCode::CONFLICT, problem)),
            None => Err(PageError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{}: {e}", page.tr.t("admin-import-refused")),
            )),
        },
    }
}
