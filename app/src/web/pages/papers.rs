//! The papers, as pages: a case's orientation slip (an A4 page in the visitor's language with
//! the French beside it, and a button that prints it on the receipt printer), its letters
//! (filled from the dossier, read on a page, downloaded as DOCX: printing is recorded on the
//! case), and the letters' templates (read by officers; added, changed, removed, exported and
//! imported after a preview by supervisors). The rules and the storage are `crate::papers`'s.

use super::extract::{CsrfForm, DossierWork, Fields, Page, Supervision};
use super::layout;
use super::refusal::PageError;
use crate::i18n::Tr;
use crate::papers::{Letter, PapersError, SlipDoc};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::language::Language;
use baom_domain::papers::template::{FIELDS, Template};
use maud::{Markup, html};
use std::collections::HashMap;

/// A refusal in the reader's words: what was missing, by the fields' names.
fn problem(tr: Tr, e: &PapersError) -> String {
    match e {
        PapersError::Missing(fields) => tr.t1(
            "letter-missing",
            "fields",
            &fields
                .iter()
                .map(|f| {
                    format!(
                        "{} ({f})",
                        tr.t(&format!("letter-field-{}", f.replace('.', "-")))
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        e => {
            let key = format!("papers-error-{}", e.code());
            let text = tr.t(&key);
            if text == key {
                e.to_string()
            } else {
                format!("{text} ({e})")
            }
        }
    }
}

fn refusal(tr: Tr, e: PapersError) -> PageError {
    match e {
        PapersError::Dossiers(d) => d.into(),
        PapersError::Store(s) => PageError::Failed(s.to_string()),
        PapersError::UnknownTemplate(_) => PageError::NotFound("error-not-found"),
        e => PageError::refused(StatusCode::UNPROCESSABLE_ENTITY, problem(tr, &e)),
    }
}

fn language_of(q: &HashMap<String, String>, default: Language) -> Language {
    q.get("lang")
        .and_then(|l| l.parse::<Language>().ok())
        .unwrap_or(default)
}

fn part_view(part: &baom_receipt::paper::Part) -> Markup {
    let rtl = part.language.is_rtl();
    html! {
        section.slip-part lang=(part.language.code()) dir=(if rtl { "rtl" } else { "ltr" }) {
            h2 { (part.title) }
            @for s in &part.sections {
                h3 { (s.heading) }
                ul { @for line in &s.lines { li { (line) } } }
            }
        }
    }
}

/// `/cases/{id}/slip`: the slip as an A4 page.
pub async fn slip_page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let doc = state
        .papers
        .slip(page.actor(), id)
        .await
        .map_err(|e| refusal(tr, e))?;
    let language = language_of(&q, doc.language);
    Ok(slip_view(&state, &page, &doc, &q, language, None))
}

/// Where a slip's page is, and the query that makes it again (for a visit: its choices).
fn slip_place(doc: &SlipDoc, q: &HashMap<String, String>) -> (String, String) {
    match doc.case_id {
        Some(id) => (format!("/cases/{id}/slip"), String::new()),
        None => (
            "/slip".to_owned(),
            serde_urlencoded::to_string([
                ("procedure", q.get("procedure").cloned().unwrap_or_default()),
                ("partner", q.get("partner").cloned().unwrap_or_default()),
            ])
            .unwrap_or_default(),
        ),
    }
}

fn slip_view(
    state: &AppState,
    page: &Page<DossierWork>,
    doc: &SlipDoc,
    q: &HashMap<String, String>,
    language: Language,
    problem: Option<String>,
) -> Response {
    let tr = page.tr;
    let paper = state.papers.paper(doc, language);
    let (here, choices) = slip_place(doc, q);
    let printed = q.get("printed");
    let body = html! {
        div.no-print {
            @if let Some(id) = doc.case_id { p { a href={ "/cases/" (id) } { (tr.t("slip-back")) } } }
            @if let Some(state) = printed { p.verified role="status" #slip-printed { (tr.t1("slip-printed", "state", state)) } }
            @if let Some(p) = &problem { p.problem role="alert" #slip-problem { (p) } }
            form.inline method="get" action=(here) {
                @if doc.case_id.is_none() { (visit_choices(tr, state, q)) }
                label { (tr.t("slip-language")) " "
                    select name="lang" {
                        @for l in Language::ALL { option value=(l.code()) selected[l == language] { (crate::i18n::text(l, "language-name", &[])) } }
                    }
                }
                button type="submit" { (tr.t("fig-show")) }
            }
            form.inline method="post" action={ (here) "/print?lang=" (language.code()) "&" (choices) } {
                input type="hidden" name="csrf" value=(page.session.csrf);
                button.primary type="submit" { (tr.t("slip-print")) }
            }
            p.hint { (tr.t("slip-a4-hint")) }
        }
        article.paper.slip {
            header.paper-head {
                p.commune { bdi lang="ar" dir="rtl" { (paper.commune_ar) } " · " (paper.commune_latin) }
            }
            div.slip-parts {
                @for part in &paper.parts { (part_view(part)) }
            }
        }
    };
    layout(tr, &tr.t("slip-title"), Some(&page.session), &here, body).into_response()
}

/// A visit's choices: the procedure and the partner.
fn visit_choices(tr: Tr, state: &AppState, q: &HashMap<String, String>) -> Markup {
    let reference = state.reference.current();
    let partners = state.directory.current();
    let lang = tr.language();
    let chosen = |k: &str| q.get(k).cloned().unwrap_or_default();
    html! {
        label { (tr.t("slip-procedure")) " "
            select name="procedure" {
                option value="" { "—" }
                @for (id, v) in reference.iter() { option value=(id) selected[chosen("procedure") == *id] { (v.procedure.names.get(lang)) } }
            }
        }
        label { (tr.t("slip-partner")) " "
            select name="partner" {
                option value="" { "—" }
                @for p in &partners.items { option value=(p.id) selected[chosen("partner") == p.id] { (p.name) } }
            }
        }
    }
}

/// `/slip`: the slip of a visit oriented without a dossier (a procedure, a partner).
pub async fn visit_slip_page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let language = language_of(&q, tr.language());
    let chosen = |k: &str| q.get(k).map(String::as_str);
    match state
        .papers
        .visit_slip(chosen("procedure"), chosen("partner"), language)
    {
        Ok(doc) => Ok(slip_view(&state, &page, &doc, &q, language, None)),
        Err(PapersError::Slip(_)) if !q.contains_key("procedure") && !q.contains_key("partner") => {
            // The first visit to the page: the choices, nothing chosen yet.
            let body = html! {
                h1 { (tr.t("slip-title")) }
                p { (tr.t("slip-visit-explain")) }
                form.card method="get" action="/slip" {
                    (visit_choices(tr, &state, &q))
                    input type="hidden" name="lang" value=(language.code());
                    button.primary type="submit" { (tr.t("fig-show")) }
                }
            };
            Ok(layout(tr, &tr.t("slip-title"), Some(&page.session), "/slip", body).into_response())
        }
        Err(e) => Err(refusal(tr, e)),
    }
}

/// `POST /slip/print`: a visit's slip on the receipt printer.
pub async fn visit_slip_print(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Query(q): Query<HashMap<String, String>>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let language = language_of(&q, tr.language());
    let chosen = |k: &str| q.get(k).map(String::as_str);
    let doc = state
        .papers
        .visit_slip(chosen("procedure"), chosen("partner"), language)
        .map_err(|e| refusal(tr, e))?;
    print(&state, &page, doc, q, language).await
}

async fn print(
    state: &AppState,
    page: &Page<DossierWork>,
    doc: SlipDoc,
    mut q: HashMap<String, String>,
    language: Language,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let paper = state.papers.paper(&doc, language);
    let (here, choices) = slip_place(&doc, &q);
    match state.printer.print_paper("slip", paper).await {
        Ok(printed) => Ok(Redirect::to(&format!(
            "{here}?lang={}&printed={}&{choices}",
            language.code(),
            printed.as_str()
        ))
        .into_response()),
        Err(why) => {
            q.remove("printed");
            Ok((
                StatusCode::SERVICE_UNAVAILABLE,
                slip_view(
                    state,
                    page,
                    &doc,
                    &q,
                    language,
                    Some(tr.t1("slip-print-failed", "why", &why)),
                ),
            )
                .into_response())
        }
    }
}

/// `POST /cases/{id}/slip/print`: the slip on the receipt printer.
pub async fn slip_print(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let doc = state
        .papers
        .slip(page.actor(), id)
        .await
        .map_err(|e| refusal(tr, e))?;
    let language = language_of(&q, doc.language);
    print(&state, &page, doc, q, language).await
}

fn letter_view(
    state: &AppState,
    page: &Page<DossierWork>,
    case: i64,
    l: &Letter,
    printed: bool,
) -> Response {
    let tr = page.tr;
    let rtl = l.template.language.is_rtl();
    let here = format!("/cases/{case}/letters/{}", l.template.id);
    let _ = state;
    let body = html! {
        div.no-print {
            p { a href={ "/cases/" (case) } { (tr.t("slip-back")) } }
            @if printed { p.verified role="status" #letter-printed { (tr.t("letter-recorded")) } }
            form.inline method="post" action=(here) {
                input type="hidden" name="csrf" value=(page.session.csrf);
                button.primary type="submit" { (tr.t("letter-print")) }
            }
            form.inline method="post" action={ (here) ".docx" } {
                input type="hidden" name="csrf" value=(page.session.csrf);
                button type="submit" { (tr.t("letter-docx")) }
            }
            p.hint { (tr.t("letter-hint")) }
        }
        article.paper.letter lang=(l.template.language.code()) dir=(if rtl { "rtl" } else { "ltr" }) {
            @for para in l.text.split("\n\n") {
                p { @for (i, line) in para.lines().enumerate() { @if i > 0 { br; } (line) } }
            }
        }
    };
    layout(tr, &l.template.title, Some(&page.session), &here, body).into_response()
}

/// `/cases/{id}/letters/{template}`: the letter filled from the case (a reading).
pub async fn letter_page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path((id, template)): Path<(i64, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let letter = state
        .papers
        .letter(
            page.actor(),
            page.session.account.display_name.clone(),
            id,
            template,
            false,
        )
        .await
        .map_err(|e| refusal(tr, e))?;
    Ok(letter_view(
        &state,
        &page,
        id,
        &letter,
        q.contains_key("printed"),
    ))
}

/// `POST /cases/{id}/letters/{template}`: the letter printed, recorded on the case, then its
/// page again (`?printed`, so that reloading it records nothing more); with `.docx` after the
/// template, the letter as an editable document, recorded the same.
pub async fn letter_print(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path((id, template)): Path<(i64, String)>,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    if let Some(t) = template.strip_suffix(".docx") {
        return letter_docx(&state, &page, id, t.to_owned()).await;
    }
    let letter = state
        .papers
        .letter(
            page.actor(),
            page.session.account.display_name.clone(),
            id,
            template,
            true,
        )
        .await
        .map_err(|e| refusal(tr, e))?;
    Ok(Redirect::to(&format!(
        "/cases/{id}/letters/{}?printed",
        letter.template.id
    ))
    .into_response())
}

/// The letter as an editable document (recorded on the case: it is what gets printed).
async fn letter_docx(
    state: &AppState,
    page: &Page<DossierWork>,
    id: i64,
    template: String,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let letter = state
        .papers
        .letter(
            page.actor(),
            page.session.account.display_name.clone(),
            id,
            template,
            true,
        )
        .await
        .map_err(|e| refusal(tr, e))?;
    let bytes = crate::papers::docx(&letter).map_err(PageError::Failed)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-{id}.docx\"", letter.template.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The case page's card: the slip and the letters.
pub fn case_card(
    tr: Tr,
    state: &AppState,
    case: i64,
    printed: &[(String, i64, String, String, String)],
) -> Markup {
    let templates = state.papers.templates();
    html! {
        section.card.papers #papers {
            h2 { (tr.t("papers-title")) }
            p { a href={ "/cases/" (case) "/slip" } { (tr.t("slip-title")) } }
            ul.letters {
                @for t in &templates.items {
                    li { a href={ "/cases/" (case) "/letters/" (t.id) } { (t.title) } }
                }
            }
            @if !printed.is_empty() {
                h3 { (tr.t("letters-printed")) }
                ul #letters-printed {
                    @for (template, version, language, at, by) in printed {
                        li { (template) " (v" (version) ", " (language) ") · " bdi dir="ltr" { (at.get(..16).unwrap_or(at).replace('T', " ")) } " · " (by) }
                    }
                }
            }
        }
    }
}

// --- Templates.

fn import_form(tr: Tr, csrf: &str, text: &str) -> Markup {
    html! {
        form.card #letters-import method="post" action="/letters/import" {
            input type="hidden" name="csrf" value=(csrf);
            label { (tr.t("letters-import")) textarea name="file" rows="8" dir="ltr" required { (text) } }
            button type="submit" { (tr.t("admin-import-preview")) }
        }
    }
}

/// `/letters`: the templates.
pub async fn list(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DossierWork>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let current = state.papers.templates();
    let supervisor = session.account.role.supervises();
    let body = html! {
        h1 { (tr.t("letters-title")) }
        p { (tr.t("letters-explain")) }
        @if let Some(n) = q.get("imported") { p.verified role="status" { (tr.t1("admin-directory-imported", "n", n)) } }
        p.hint { (tr.t1("letters-version", "v", &current.version.to_string())) }
        @for t in &current.items {
            article.card.template data-id=(t.id) {
                h2 { (t.title) " " small dir="ltr" { "(" (t.id) ", " (t.language.code()) ")" } }
                pre.template-text dir="auto" { (t.text) }
                @if supervisor { p { a href={ "/letters/" (t.id) } { (tr.t("admin-edit")) } } }
            }
        }
        p { a href="/letters/export.toml" download="letters.toml" { (tr.t("letters-export")) } }
        @if supervisor {
            p { a.button href="/letters/new" { (tr.t("letters-new")) } }
            (import_form(tr, &session.csrf, ""))
        }
        section.card #letter-fields {
            h2 { (tr.t("letters-fields")) }
            dl { @for (f, _) in FIELDS { dt dir="ltr" { "{{ " (f) " }}" } dd { (tr.t(&format!("letter-field-{}", f.replace('.', "-")))) } } }
        }
    };
    layout(tr, &tr.t("letters-title"), Some(&session), "/letters", body).into_response()
}

fn template_page(
    page: &Page<Supervision>,
    was: Option<&str>,
    t: &Template,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let action = match was {
        Some(id) => format!("/letters/{id}"),
        None => "/letters/new".to_owned(),
    };
    let body = html! {
        h1 { @if was.is_some() { (t.title) } @else { (tr.t("letters-new")) } }
        @if let Some(p) = &problem { p.problem role="alert" #template-problem { (p) } }
        form.card.template method="post" action=(action) {
            input type="hidden" name="csrf" value=(page.session.csrf);
            input type="hidden" name="action" value="save";
            label { (tr.t("admin-id")) input name="id" value=(t.id) dir="ltr" required maxlength="64" pattern="[a-z0-9][a-z0-9-]*"; }
            label { (tr.t("letters-template-title")) input name="title" value=(t.title) required maxlength="200" dir="auto"; }
            label { (tr.t("letters-template-language"))
                select name="language" { @for l in Language::ALL { option value=(l.code()) selected[l == t.language] { (crate::i18n::text(l, "language-name", &[])) } } }
            }
            label { (tr.t("letters-template-text")) textarea name="text" rows="18" dir="auto" required { (t.text) } }
            p.hint { (tr.t("letters-template-hint")) }
            button.primary type="submit" { (tr.t("admin-save")) }
        }
        @if was.is_some() {
            form.card method="post" action=(action) {
                input type="hidden" name="csrf" value=(page.session.csrf);
                input type="hidden" name="action" value="remove";
                button.danger type="submit" { (tr.t("admin-remove")) }
            }
        }
    };
    (
        status,
        layout(
            tr,
            &tr.t("letters-title"),
            Some(&page.session),
            &action,
            body,
        ),
    )
        .into_response()
}

pub async fn new_form(page: Page<Supervision>) -> Response {
    let t = Template {
        id: String::new(),
        title: String::new(),
        language: Language::French,
        text: String::new(),
    };
    template_page(&page, None, &t, None, StatusCode::OK)
}

pub async fn edit_form(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let t = state
        .papers
        .template(&id)
        .ok_or(PageError::NotFound("error-not-found"))?;
    Ok(template_page(&page, Some(&id), &t, None, StatusCode::OK))
}

async fn save(
    state: &AppState,
    page: &Page<Supervision>,
    was: Option<String>,
    f: &Fields,
) -> Result<Response, PageError> {
    let tr = page.tr;
    if f.get("action") == "remove" {
        let id = was.clone().unwrap_or_default();
        return match state.papers.remove_template(id, page.actor()).await {
            Ok(()) => Ok(Redirect::to("/letters").into_response()),
            Err(e) => Err(refusal(tr, e)),
        };
    }
    let t = Template {
        id: f.get("id").trim().to_owned(),
        title: f.get("title").trim().to_owned(),
        language: f.get("language").parse().unwrap_or(Language::French),
        text: f.get("text").replace("\r\n", "\n"),
    };
    match state
        .papers
        .save_template(was.clone(), t.clone(), page.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/letters").into_response()),
        Err(e @ (PapersError::Store(_) | PapersError::Dossiers(_))) => {
            Err(PageError::Failed(e.to_string()))
        }
        Err(e) => Ok(template_page(
            page,
            was.as_deref(),
            &t,
            Some(problem(tr, &e)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
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
    if state.papers.template(&id).is_none() {
        return Err(PageError::NotFound("error-not-found"));
    }
    save(&state, &page, Some(id), &fields).await
}

pub async fn export(State(state): State<AppState>, _: Page<DossierWork>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"letters.toml\"",
            ),
        ],
        state.papers.export(),
    )
        .into_response()
}

pub async fn preview(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Response {
    let text = fields.get("file").to_owned();
    let (body, status) = match state.papers.preview(&text) {
        Err(e) => (
            html! {
                h1 { (tr.t("letters-title")) }
                p.problem role="alert" #import-problem { (tr.t("admin-import-refused")) ": " (problem(tr, &e)) }
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
                    section.card #import-added { h2 { (tr.t("admin-import-added")) } ul { @for t in &c.added { li data-id=(t.id) { (t.title) } } } }
                    section.card #import-changed { h2 { (tr.t("admin-import-changed")) } ul { @for (_, t, fields) in &c.changed { li data-id=(t.id) { (t.title) " — " span.hint { (fields.join(", ")) } } } } }
                    section.card #import-removed { h2 { (tr.t("admin-import-removed")) } ul { @for t in &c.removed { li data-id=(t.id) { (t.title) } } } }
                    form.card method="post" action="/letters/import/confirm" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="base" value=(preview.base);
                        textarea name="file" hidden { (text) }
                        button.primary type="submit" disabled[c.is_empty()] { (tr.t("admin-import-apply")) }
                        " " a href="/letters" { (tr.t("admin-cancel")) }
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
            "/letters",
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
        .papers
        .import(fields.get("file").to_owned(), base, page.actor())
        .await
    {
        Ok(n) => Ok(Redirect::to(&format!("/letters?imported={n}")).into_response()),
        Err(PapersError::Stale) => Err(PageError::refused(
            StatusCode::CONFLICT,
            problem(page.tr, &PapersError::Stale),
        )),
        Err(e) => Err(PageError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{}: {}",
                page.tr.t("admin-import-refused"),
                problem(page.tr, &e)
            ),
        )),
    }
}
