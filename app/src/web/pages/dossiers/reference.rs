//! The reference of procedures: officers read it (the list, each procedure's steps, documents,
//! body, delay and where to refer); supervisors edit a procedure with a form (names in every
//! language, each checked for its script), add one, export the file, and import another
//! commune's: the import shows what it adds, changes and removes, and is applied only once
//! confirmed (nothing changes when it is refused or left).

use crate::reference::ReferenceStoreError;
use crate::web::AppState;
use crate::web::pages::extract::{CsrfForm, DossierWork, Fields, Page, Supervision};
use crate::web::pages::layout;
use crate::web::pages::refusal::PageError;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::catalogue::{Document, Names};
use baom_domain::dossier::{Body, Profile};
use baom_domain::language::Language;
use baom_domain::reference::{Procedure, Step};
use maud::{Markup, html};
use std::collections::HashMap;

/// Empty rows offered under the steps and documents for new ones.
const SPARE_ROWS: usize = 3;

/// What the form holds, as typed (so a refused form comes back as it was sent).
#[derive(Debug, Clone, Default)]
struct Draft {
    id: String,
    names: [String; 4],
    refer_to: [String; 4],
    body: String,
    delay: String,
    to_be_checked: bool,
    profiles: Vec<String>,
    /// `[id, ar, zgh, fr, en]` per row.
    steps: Vec<[String; 5]>,
    documents: Vec<[String; 5]>,
}

fn four(names: &Names) -> [String; 4] {
    Language::ALL.map(|l| names.get(l).to_owned())
}

fn names_of(texts: &[String; 4]) -> Names {
    Names {
        ar: texts[0].trim().to_owned(),
        zgh: texts[1].trim().to_owned(),
        fr: texts[2].trim().to_owned(),
        en: texts[3].trim().to_owned(),
    }
}

/// An id made from a French name when none was typed: `Déclarer la naissance` → `declarer-la-naissance`.
fn slug(text: &str) -> String {
    let ascii: String = text
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c.to_ascii_lowercase(),
        })
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut out = String::new();
    for part in ascii.split('-').filter(|p| !p.is_empty()) {
        if out.len() + part.len() + 1 > 40 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

impl Draft {
    fn of(p: &Procedure) -> Draft {
        let row = |id: &str, n: &Names| {
            [
                id.to_owned(),
                n.ar.clone(),
                n.zgh.clone(),
                n.fr.clone(),
                n.en.clone(),
            ]
        };
        Draft {
            id: p.id.clone(),
            names: four(&p.names),
            refer_to: four(&p.refer_to),
            body: p.body.as_str().to_owned(),
            delay: p.typical_delay_days.to_string(),
            to_be_checked: p.to_be_checked,
            profiles: p.profiles.iter().map(|p| p.as_str().to_owned()).collect(),
            steps: p.steps.iter().map(|s| row(&s.id, &s.names)).collect(),
            documents: p.documents.iter().map(|d| row(&d.id, &d.names)).collect(),
        }
    }

    fn from_form(f: &Fields, id: Option<&str>) -> Draft {
        let texts = |prefix: &str| {
            Language::ALL.map(|l| f.get(&format!("{prefix}_{}", l.code())).to_owned())
        };
        let rows = |prefix: &str| {
            let column = |c: &str| f.all(&format!("{prefix}_{c}"));
            let ids = column("id");
            let cols = [column("ar"), column("zgh"), column("fr"), column("en")];
            (0..ids.len())
                .map(|i| {
                    let cell = |c: &Vec<&str>| c.get(i).copied().unwrap_or("").to_owned();
                    [
                        ids[i].to_owned(),
                        cell(&cols[0]),
                        cell(&cols[1]),
                        cell(&cols[2]),
                        cell(&cols[3]),
                    ]
                })
                .filter(|row| row.iter().any(|c| !c.trim().is_empty()))
                .collect::<Vec<_>>()
        };
        Draft {
            id: id
                .map(str::to_owned)
                .unwrap_or_else(|| f.get("id").trim().to_owned()),
            names: texts("names"),
            refer_to: texts("refer"),
            body: f.get("body").to_owned(),
            delay: f.get("delay").trim().to_owned(),
            to_be_checked: f.ticked("to_be_checked"),
            profiles: f.all("profile").into_iter().map(str::to_owned).collect(),
            steps: rows("step"),
            documents: rows("doc"),
        }
    }

    /// The procedure the form describes, checked by the reference's rules.
    fn procedure(&self) -> Result<Procedure, String> {
        let body = Body::parse(&self.body).map_err(|e| format!("body: {}", e.message))?;
        let typical_delay_days = self.delay.parse::<u16>().map_err(|_| {
            format!(
                "typical_delay_days: {:?} is not a number of days",
                self.delay
            )
        })?;
        let profiles = self
            .profiles
            .iter()
            .map(|p| Profile::parse(p).ok_or_else(|| format!("profiles: {p:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        let row_id = |row: &[String; 5]| {
            if row[0].trim().is_empty() {
                slug(&row[3])
            } else {
                row[0].trim().to_owned()
            }
        };
        let names_of_row = |row: &[String; 5]| {
            names_of(&[
                row[1].clone(),
                row[2].clone(),
                row[3].clone(),
                row[4].clone(),
            ])
        };
        let p = Procedure {
            id: self.id.clone(),
            to_be_checked: self.to_be_checked,
            body,
            typical_delay_days,
            profiles,
            names: names_of(&self.names),
            refer_to: names_of(&self.refer_to),
            steps: self
                .steps
                .iter()
                .map(|r| Step {
                    id: row_id(r),
                    names: names_of_row(r),
                })
                .collect(),
            documents: self
                .documents
                .iter()
                .map(|r| Document {
                    id: row_id(r),
                    names: names_of_row(r),
                })
                .collect(),
        };
        p.check("procedure").map_err(|e| e.to_string())?;
        Ok(p)
    }
}

/// The form, filled with `d`.
fn form(tr: crate::i18n::Tr, csrf: &str, action: &str, d: &Draft, new: bool) -> Markup {
    let language_inputs = |prefix: &str, values: &[String; 4], long: bool| {
        html! {
            @for (i, l) in Language::ALL.iter().enumerate() {
                label lang=(l.code()) dir=(if l.is_rtl() { "rtl" } else { "ltr" }) {
                    (crate::i18n::text(*l, "language-name", &[]))
                    @if long {
                        textarea name={ (prefix) "_" (l.code()) } rows="2" { (values[i]) }
                    } @else {
                        input name={ (prefix) "_" (l.code()) } value=(values[i]);
                    }
                }
            }
        }
    };
    let rows = |prefix: &str, rows: &[[String; 5]], title: &str| {
        let spare = [const { String::new() }; 5];
        html! {
            fieldset.rows {
                legend { (title) }
                p.hint { (tr.t("admin-rows-hint")) }
                table.rows {
                    thead { tr { th { (tr.t("admin-id")) } @for l in Language::ALL { th lang=(l.code()) { (crate::i18n::text(l, "language-name", &[])) } } } }
                    tbody {
                        @for row in rows.iter().chain(std::iter::repeat_n(&spare, SPARE_ROWS)) {
                            tr {
                                td { input name={ (prefix) "_id" } value=(row[0]) dir="ltr" size="14" aria-label=(tr.t("admin-id")); }
                                @for (i, l) in Language::ALL.iter().enumerate() {
                                    td { input name={ (prefix) "_" (l.code()) } value=(row[i + 1]) lang=(l.code()) dir=(if l.is_rtl() { "rtl" } else { "ltr" }) aria-label=(crate::i18n::text(*l, "language-name", &[])); }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    html! {
        form.card.procedure method="post" action=(action) {
            input type="hidden" name="csrf" value=(csrf);
            @if new {
                label { (tr.t("admin-id")) input name="id" value=(d.id) dir="ltr" required pattern="[a-z0-9][a-z0-9-]*" maxlength="64"; }
                p.hint { (tr.t("admin-id-hint")) }
            }
            fieldset { legend { (tr.t("reference-procedure")) } (language_inputs("names", &d.names, false)) }
            label { (tr.t("referral-body"))
                select name="body" {
                    @for b in Body::ALL {
                        option value=(b.as_str()) selected[d.body == b.as_str()] { (tr.t(&format!("body-{}", b.as_str()))) }
                    }
                }
            }
            label { (tr.t("admin-reference-delay")) input name="delay" value=(d.delay) inputmode="numeric" dir="ltr" size="4"; }
            fieldset {
                legend { (tr.t("field-profile")) }
                @for p in Profile::ALL {
                    label.check { input type="checkbox" name="profile" value=(p.as_str()) checked[d.profiles.iter().any(|x| x == p.as_str())]; " " (tr.t(&format!("profile-{}", p.as_str()))) }
                }
            }
            fieldset { legend { (tr.t("procedure-refer-to")) } (language_inputs("refer", &d.refer_to, true)) }
            (rows("step", &d.steps, &tr.t("admin-reference-steps")))
            (rows("doc", &d.documents, &tr.t("admin-reference-documents")))
            label.check { input type="checkbox" name="to_be_checked" checked[d.to_be_checked]; " " (tr.t("procedure-to-check")) }
            button.primary type="submit" { (tr.t("reference-save")) }
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DossierWork>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let lang = tr.language();
    let supervisor = session.account.role.supervises();
    let body = html! {
        h1 { (tr.t("reference-title")) }
        @if let Some(n) = query.get("imported") { p.verified role="status" { (tr.t1("reference-imported", "n", n)) } }
        p { (tr.t("reference-explain")) }
        table.reference #procedures {
            thead { tr { th { (tr.t("reference-procedure")) } th { (tr.t("referral-body")) } th { (tr.t("reference-version")) } th {} } }
            tbody {
                @for (id, v) in state.reference.current().iter() {
                    tr {
                        td { a href={ "/reference/" (id) } { (v.procedure.names.get(lang)) } }
                        td { (tr.t(&format!("body-{}", v.procedure.body.as_str()))) }
                        td { (v.version) " · " (v.edited_by) }
                        td { @if v.procedure.to_be_checked { span.flag { (tr.t("procedure-to-check")) } } }
                    }
                }
            }
        }
        p { a href="/reference/export.toml" download="reference.toml" { (tr.t("reference-export")) } }
        @if supervisor {
            p { a.button href="/reference/new" { (tr.t("admin-reference-new")) } }
            (import_form(tr, &session.csrf, ""))
        }
    };
    layout(
        tr,
        &tr.t("reference-title"),
        Some(&session),
        "/reference",
        body,
    )
    .into_response()
}

fn import_form(tr: crate::i18n::Tr, csrf: &str, text: &str) -> Markup {
    html! {
        form.card #reference-import method="post" action="/reference/import" {
            input type="hidden" name="csrf" value=(csrf);
            label { (tr.t("reference-import")) textarea name="file" rows="8" dir="ltr" required { (text) } }
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
                "attachment; filename=\"reference.toml\"",
            ),
        ],
        state.reference.export(),
    )
        .into_response()
}

/// A procedure: read by officers, edited by supervisors (with its versions).
pub async fn page(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DossierWork>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let v = state
        .reference
        .get(&id)
        .ok_or(PageError::NotFound("dossier-unknown-procedure"))?;
    if session.account.role.supervises() {
        let draft = Draft::of(&v.procedure);
        return Ok(edit_page(tr, &state, &session, &id, &draft, None, StatusCode::OK).await);
    }
    let p = &v.procedure;
    let lang = tr.language();
    let here = format!("/reference/{id}");
    let body = html! {
        article.card.procedure-view {
            h1 { (p.names.get(lang)) }
            @if p.to_be_checked { p { span.flag { (tr.t("procedure-to-check")) } } }
            dl.facts {
                dt { (tr.t("referral-body")) } dd { (tr.t(&format!("body-{}", p.body.as_str()))) }
                dt { (tr.t("admin-reference-delay")) } dd { (tr.t1("procedure-delay", "days", &p.typical_delay_days.to_string())) }
                dt { (tr.t("procedure-refer-to")) } dd { (p.refer_to.get(lang)) }
            }
            h2 { (tr.t("admin-reference-steps")) }
            ol { @for s in &p.steps { li { (s.names.get(lang)) } } }
            h2 { (tr.t("admin-reference-documents")) }
            ul { @for d in &p.documents { li { (d.names.get(lang)) } } }
            p.hint { (tr.t("reference-version")) " " (v.version) " · " (v.edited_at.get(..10).unwrap_or(&v.edited_at)) }
        }
    };
    Ok(layout(tr, p.names.get(lang), Some(&session), &here, body).into_response())
}

async fn edit_page(
    tr: crate::i18n::Tr,
    state: &AppState,
    session: &crate::accounts::Session,
    id: &str,
    draft: &Draft,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let history = state
        .reference
        .history(id.to_owned())
        .await
        .unwrap_or_default();
    let here = format!("/reference/{id}");
    let body = html! {
        h1 { (history.first().map(|v| v.procedure.names.get(tr.language()).to_owned()).unwrap_or_else(|| id.to_owned())) }
        p.hint dir="ltr" { (id) }
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        (form(tr, &session.csrf, &here, draft, false))
        h2 { (tr.t("reference-versions")) }
        ul #versions { @for v in &history { li { (tr.t("reference-version")) " " (v.version) " · " (v.edited_at.get(..16).unwrap_or(&v.edited_at).replace('T', " ")) " · " (v.edited_by) @if v.retired { " · " span.flag { (tr.t("admin-retired")) } } } } }
    };
    (
        status,
        layout(tr, &tr.t("reference-title"), Some(session), &here, body),
    )
        .into_response()
}

pub async fn save(
    State(state): State<AppState>,
    page: Page<Supervision>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    if state.reference.get(&id).is_none() {
        return Err(PageError::NotFound("dossier-unknown-procedure"));
    }
    let draft = Draft::from_form(&fields, Some(&id));
    let procedure = match draft.procedure() {
        Ok(p) => p,
        Err(why) => {
            let problem = format!("{}: {why}", page.tr.t("reference-refused"));
            return Ok(edit_page(
                page.tr,
                &state,
                &page.session,
                &id,
                &draft,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await);
        }
    };
    state
        .reference
        .save(procedure, page.actor())
        .await
        .map_err(|e| PageError::Failed(e.to_string()))?;
    Ok(Redirect::to(&format!("/reference/{id}")).into_response())
}

fn new_page(
    tr: crate::i18n::Tr,
    session: &crate::accounts::Session,
    draft: &Draft,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let body = html! {
        h1 { (tr.t("admin-reference-new")) }
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        (form(tr, &session.csrf, "/reference/new", draft, true))
    };
    (
        status,
        layout(
            tr,
            &tr.t("admin-reference-new"),
            Some(session),
            "/reference/new",
            body,
        ),
    )
        .into_response()
}

pub async fn new_form(Page { session, tr, .. }: Page<Supervision>) -> Response {
    let draft = Draft {
        body: Body::Other.as_str().to_owned(),
        delay: "30".into(),
        to_be_checked: true,
        ..Draft::default()
    };
    new_page(tr, &session, &draft, None, StatusCode::OK)
}

pub async fn create(
    State(state): State<AppState>,
    page: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let draft = Draft::from_form(&fields, None);
    let refused = |why: String| {
        new_page(
            page.tr,
            &page.session,
            &draft,
            Some(format!("{}: {why}", page.tr.t("reference-refused"))),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let procedure = match draft.procedure() {
        Ok(p) => p,
        Err(why) => return Ok(refused(why)),
    };
    let id = procedure.id.clone();
    match state.reference.create(procedure, page.actor()).await {
        Ok(_) => Ok(Redirect::to(&format!("/reference/{id}")).into_response()),
        Err(e @ ReferenceStoreError::Exists(_)) => Ok(refused(e.to_string())),
        Err(e) => Err(PageError::Failed(e.to_string())),
    }
}

/// The shared file's changes, shown before anything is applied.
pub async fn preview(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Response {
    let text = fields.get("file").to_owned();
    let lang = tr.language();
    let (body, status) = match state.reference.preview(&text) {
        Err(e) => (
            html! {
                h1 { (tr.t("reference-title")) }
                p.problem role="alert" { (tr.t("reference-refused")) ": " (e) }
                (import_form(tr, &session.csrf, &text))
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Ok(preview) => {
            let c = &preview.changes;
            let name = |p: &Procedure| p.names.get(lang).to_owned();
            (
                html! {
                    h1 { (tr.t("admin-import-title")) }
                    p #import-summary { (tr.ta("admin-import-summary", &[
                        ("added", &c.added.len().to_string()),
                        ("changed", &c.changed.len().to_string()),
                        ("removed", &c.removed.len().to_string()),
                        ("same", &c.unchanged.to_string()),
                    ])) }
                    section.card #import-added { h2 { (tr.t("admin-import-added")) } @if c.added.is_empty() { p.empty { "—" } } ul { @for p in &c.added { li data-id=(p.id) { (name(p)) } } } }
                    section.card #import-changed { h2 { (tr.t("admin-import-changed")) } @if c.changed.is_empty() { p.empty { "—" } } ul { @for (_, p, fields) in &c.changed { li data-id=(p.id) { (name(p)) " — " span.hint { (fields.iter().map(|f| tr.t(&format!("admin-field-{f}"))).collect::<Vec<_>>().join(", ")) } } } } }
                    section.card #import-removed { h2 { (tr.t("admin-import-removed")) } @if c.removed.is_empty() { p.empty { "—" } } ul { @for p in &c.removed { li data-id=(p.id) { (name(p)) } } } }
                    form.card method="post" action="/reference/import/confirm" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="base" value=(preview.base);
                        textarea name="file" hidden { (text) }
                        @if !c.removed.is_empty() {
                            label.check { input type="checkbox" name="remove" checked; " " (tr.t1("admin-import-remove", "n", &c.removed.len().to_string())) }
                        }
                        button.primary type="submit" disabled[c.is_empty()] { (tr.t("admin-import-apply")) }
                        " " a href="/reference" { (tr.t("admin-cancel")) }
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
            "/reference",
            body,
        ),
    )
        .into_response()
}

/// Applies a previewed file, if the reference is still as previewed.
pub async fn confirm(
    State(state): State<AppState>,
    page: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let base = fields
        .get("base")
        .parse::<i64>()
        .map_err(|_| PageError::BadForm)?;
    let remove = fields.ticked("remove");
    match state
        .reference
        .import(fields.get("file").to_owned(), base, remove, page.actor())
        .await
    {
        Ok(n) => Ok(Redirect::to(&format!("/reference?imported={n}")).into_response()),
        Err(
            e @ (ReferenceStoreError::Stale
            | ReferenceStoreError::Syntax(_)
            | ReferenceStoreError::Invalid(_)
            | ReferenceStoreError::TooLarge(_)),
        ) => Err(PageError::refused(
            StatusCode::CONFLICT,
            format!("{}: {e}", page.tr.t("reference-refused")),
        )),
        Err(e) => Err(PageError::Failed(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_made_from_the_french_name() {
        assert_eq!(
            slug("Déclarer la naissance à l'état civil"),
            "declarer-la-naissance-a-l-etat-civil"
        );
        assert_eq!(slug("  "), "");
    }
}
