//! The commune's projects: officers and supervisors list, create and update a project's simple
//! sheet (titles in Arabic and French, douar, sector, needs, budget, timeline, status, the
//! commune's contact), and print it as a page for the notice board or a meeting. The rules
//! are `baom_domain::projects`', the storage `crate::projects`'.

use super::extract::{CsrfForm, DossierWork, Fields, Page, ProjectId};
use super::layout;
use super::refusal::PageError;
use crate::i18n::Tr;
use crate::projects::{Project, ProjectError};
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::projects::{
    Sector, Sheet, SheetError, Status, Step, parse_date, parse_dirhams, show_dirhams,
};
use maud::{Markup, html};

/// Empty rows the form offers below a timeline's steps.
const BLANK_STEPS: usize = 3;

fn sector_name(tr: Tr, s: Sector) -> String {
    tr.t(&format!("project-sector-{}", s.as_str()))
}

fn status_name(tr: Tr, s: Status) -> String {
    tr.t(&format!("project-status-{}", s.as_str()))
}

fn douar_shown(tr: Tr, douar: &str) -> String {
    if douar.is_empty() {
        tr.t("project-whole-commune")
    } else {
        douar.to_owned()
    }
}

pub async fn list(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DossierWork>,
) -> Result<Response, PageError> {
    let projects = state
        .projects
        .list()
        .await
        .map_err(|e| PageError::Failed(e.to_string()))?;
    let body = html! {
        h1 { (tr.t("project-title")) }
        p { (tr.t("project-explain")) }
        p { a.button href="/projects/new" { (tr.t("project-new")) } }
        @if projects.is_empty() { p.empty { (tr.t("project-empty")) } }
        @else {
            table.projects {
                thead { tr {
                    th { (tr.t("project-field-title")) }
                    th { (tr.t("project-field-douar")) }
                    th { (tr.t("project-field-sector")) }
                    th { (tr.t("project-field-status")) }
                    th { (tr.t("project-missing")) }
                } }
                tbody {
                    @for p in &projects {
                        tr data-id=(p.id) {
                            td {
                                a href={ "/projects/" (p.id) } {
                                    bdi lang="ar" dir="rtl" { (p.sheet.title_ar) } " · " bdi lang="fr" { (p.sheet.title_fr) }
                                }
                            }
                            td { (douar_shown(tr, &p.sheet.douar)) }
                            td { (sector_name(tr, p.sheet.sector)) }
                            td.status data-status=(p.sheet.status.as_str()) { (status_name(tr, p.sheet.status)) }
                            td dir="ltr" { (show_dirhams(p.sheet.missing())) " MAD" }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(
        tr,
        &tr.t("project-title"),
        Some(&session),
        "/projects",
        body,
    )
    .into_response())
}

/// An empty sheet; `started_on` is the office's today.
fn blank_on(today: jiff::civil::Date) -> Sheet {
    Sheet {
        started_on: today,
        ..blank()
    }
}

fn blank() -> Sheet {
    Sheet {
        title_ar: String::new(),
        title_fr: String::new(),
        douar: String::new(),
        sector: Sector::Other,
        skills: String::new(),
        equipment: String::new(),
        contacts: String::new(),
        budget: 0,
        found: 0,
        started_on: jiff::civil::Date::constant(2000, 1, 1),
        timeline: Vec::new(),
        status: Status::Proposed,
        contact: String::new(),
    }
}

/// What the form's fields hold, as typed, for showing the form again after a refusal.
struct Typed {
    sheet: Sheet,
    budget: String,
    found: String,
    started_on: String,
    steps: Vec<(String, String, bool)>,
}

impl Typed {
    fn of(sheet: &Sheet) -> Typed {
        Typed {
            budget: show_dirhams(sheet.budget).replace('\u{202f}', " "),
            found: show_dirhams(sheet.found).replace('\u{202f}', " "),
            started_on: sheet.started_on.to_string(),
            steps: sheet
                .timeline
                .iter()
                .map(|s| (s.on.to_string(), s.what.clone(), s.done))
                .collect(),
            sheet: sheet.clone(),
        }
    }
}

/// The form's fields: what was typed, and the sheet they make (or why they make none).
fn from_form(f: &Fields) -> (Typed, Result<Sheet, SheetError>) {
    let ons = f.all("step_on");
    let whats = f.all("step_what");
    let dones = f.all("step_state");
    let steps: Vec<(String, String, bool)> = ons
        .iter()
        .zip(&whats)
        .enumerate()
        .map(|(i, (on, what))| {
            (
                on.trim().to_owned(),
                what.trim().to_owned(),
                dones.get(i) == Some(&"done"),
            )
        })
        .filter(|(on, what, _)| !on.is_empty() || !what.is_empty())
        .collect();
    let mut shown = blank();
    shown.title_ar = f.get("title_ar").trim().to_owned();
    shown.title_fr = f.get("title_fr").trim().to_owned();
    shown.douar = f.get("douar").to_owned();
    shown.skills = f.get("skills").trim().to_owned();
    shown.equipment = f.get("equipment").trim().to_owned();
    shown.contacts = f.get("contacts").trim().to_owned();
    shown.contact = f.get("contact").trim().to_owned();
    let parsed = (|| {
        let mut sheet = shown.clone();
        sheet.sector = Sector::parse(f.get("sector"))?;
        sheet.status = Status::parse(f.get("status"))?;
        sheet.budget = parse_dirhams("budget", f.get("budget"))?;
        sheet.found = parse_dirhams("found", f.get("found"))?;
        sheet.started_on = parse_date(f.get("started_on"))?;
        sheet.timeline = steps
            .iter()
            .map(|(on, what, done)| {
                Ok(Step {
                    on: parse_date(on)?,
                    what: what.clone(),
                    done: *done,
                })
            })
            .collect::<Result<_, SheetError>>()?;
        Ok(sheet)
    })();
    if let Ok(sheet) = &parsed {
        shown = sheet.clone();
    } else {
        shown.sector = Sector::parse(f.get("sector")).unwrap_or(Sector::Other);
        shown.status = Status::parse(f.get("status")).unwrap_or(Status::Proposed);
    }
    let typed = Typed {
        sheet: shown,
        budget: f.get("budget").to_owned(),
        found: f.get("found").to_owned(),
        started_on: f.get("started_on").to_owned(),
        steps,
    };
    (typed, parsed)
}

/// A refusal in the reader's language, with what was typed.
fn explain(tr: Tr, e: &ProjectError) -> Option<String> {
    let sentence = |e: &SheetError| -> String {
        let key = format!("project-error-{}", e.code());
        match e {
            SheetError::MissingTitle(l) | SheetError::TitleScript { language: l, .. } => tr.t1(
                &key,
                "language",
                &crate::i18n::text(*l, "language-name", &[]),
            ),
            SheetError::TooLong { field } => {
                tr.t1(&key, "field", &tr.t(&format!("project-field-{field}")))
            }
            SheetError::NotAnAmount { field, typed } => tr.t2(
                &key,
                "field",
                &tr.t(&format!("project-field-{field}")),
                "typed",
                typed,
            ),
            SheetError::AmountTooLarge { field, amount } => tr.t2(
                &key,
                "field",
                &tr.t(&format!("project-field-{field}")),
                "typed",
                &amount.to_string(),
            ),
            SheetError::FoundAboveBudget { found, budget } => tr.t2(
                &key,
                "found",
                &show_dirhams(*found),
                "budget",
                &show_dirhams(*budget),
            ),
            SheetError::NotADate { typed } => tr.t1(&key, "typed", typed),
            SheetError::StepBeforeStart {
                what,
                on,
                started_on,
            } => tr.ta(
                &key,
                &[
                    ("what", what),
                    ("on", &on.to_string()),
                    ("start", &started_on.to_string()),
                ],
            ),
            SheetError::EmptyStep { on } => tr.t1(&key, "on", &on.to_string()),
            SheetError::TooManySteps => tr.t(&key),
            SheetError::UnknownDouar(typed)
            | SheetError::UnknownSector(typed)
            | SheetError::UnknownStatus(typed) => tr.t1(&key, "typed", typed),
        }
    };
    Some(match e {
        ProjectError::Refused(e) => format!("{} · {}", tr.t("project-refused"), sentence(e)),
        ProjectError::Stale { by, at } => tr.t2("project-stale", "by", by, "at", at),
        ProjectError::Photo(e) => format!(
            "{} · {}",
            tr.t("project-photo-refused"),
            tr.t(&format!("project-error-{}", e.code()))
        ),
        ProjectError::Unknown(_) | ProjectError::Store(_) => return None,
    })
}

fn sheet_form(
    state: &AppState,
    page: &Page<DossierWork>,
    project: Option<&Project>,
    typed: &Typed,
    problem: Option<String>,
) -> Markup {
    let tr = page.tr;
    let s = &typed.sheet;
    let action = match project {
        Some(p) => format!("/projects/{}", p.id),
        None => "/projects".to_owned(),
    };
    let settings = state.live.get();
    let blanks = std::iter::repeat_n((String::new(), String::new(), false), BLANK_STEPS);
    html! {
        @if let Some(problem) = &problem { p.problem role="alert" #project-problem { (problem) } }
        form.card.project method="post" action=(action) {
            input type="hidden" name="csrf" value=(page.session.csrf);
            @if let Some(p) = project { input type="hidden" name="version" value=(p.version); }
            label { (tr.t("project-field-title_ar")) input name="title_ar" value=(s.title_ar) lang="ar" dir="rtl" required maxlength="200"; }
            label { (tr.t("project-field-title_fr")) input name="title_fr" value=(s.title_fr) lang="fr" dir="ltr" required maxlength="200"; }
            label { (tr.t("project-field-douar"))
                select name="douar" {
                    option value="" selected[s.douar.is_empty()] { (tr.t("project-whole-commune")) }
                    @for d in &settings.douars { option value=(d.name) selected[s.douar == d.name] { (d.name) } }
                }
            }
            label { (tr.t("project-field-sector"))
                select name="sector" {
                    @for sector in Sector::ALL { option value=(sector.as_str()) selected[s.sector == sector] { (sector_name(tr, sector)) } }
                }
            }
            label { (tr.t("project-field-status"))
                select name="status" {
                    @for status in Status::ALL { option value=(status.as_str()) selected[s.status == status] { (status_name(tr, status)) } }
                }
            }
            fieldset {
                legend { (tr.t("project-needs")) }
                label { (tr.t("project-field-skills")) textarea name="skills" rows="3" { (s.skills) } }
                label { (tr.t("project-field-equipment")) textarea name="equipment" rows="2" { (s.equipment) } }
                label { (tr.t("project-field-contacts")) textarea name="contacts" rows="2" { (s.contacts) } }
                label { (tr.t("project-field-budget")) input name="budget" value=(typed.budget) dir="ltr" inputmode="numeric"; }
                label { (tr.t("project-field-found")) input name="found" value=(typed.found) dir="ltr" inputmode="numeric"; }
            }
            label { (tr.t("project-field-started_on")) input type="date" name="started_on" value=(typed.started_on) dir="ltr" required; }
            fieldset.timeline {
                legend { (tr.t("project-timeline")) }
                p.hint { (tr.t("project-timeline-hint")) }
                @for (on, what, done) in typed.steps.iter().cloned().chain(blanks) {
                    div.step {
                        input type="date" name="step_on" value=(on) dir="ltr" aria-label=(tr.t("project-step-on"));
                        input name="step_what" value=(what) maxlength="200" aria-label=(tr.t("project-step-what"));
                        select name="step_state" aria-label=(tr.t("project-step-state")) {
                            option value="planned" selected[!done] { (tr.t("project-step-planned")) }
                            option value="done" selected[done] { (tr.t("project-step-done")) }
                        }
                    }
                }
            }
            label { (tr.t("project-field-contact")) input name="contact" value=(s.contact) maxlength="200"; }
            p.hint { (tr.t("project-contact-hint")) }
            button.primary type="submit" { (tr.t("admin-save")) }
        }
    }
}

/// The form for a new project, with what was typed and why it was refused, if it was.
fn new_page(
    state: &AppState,
    page: &Page<DossierWork>,
    typed: &Typed,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let form = sheet_form(state, page, None, typed, problem);
    let body = html! { h1 { (tr.t("project-new")) } (form) };
    let title = tr.t("project-new");
    (
        status,
        layout(tr, &title, Some(&page.session), "/projects", body),
    )
        .into_response()
}

pub async fn new_form(State(state): State<AppState>, page: Page<DossierWork>) -> Response {
    let today = state.queue.catalogue().local_day(crate::clock::now());
    new_page(
        &state,
        &page,
        &Typed::of(&blank_on(today)),
        None,
        StatusCode::OK,
    )
}

/// The sheet as people read it: on the project's page and on the printed one.
fn sheet_view(tr: Tr, p: &Project, photo: bool) -> Markup {
    let s = &p.sheet;
    html! {
        article.sheet data-id=(p.id) {
            h1 { bdi lang="ar" dir="rtl" { (s.title_ar) } }
            p.subtitle lang="fr" dir="ltr" { (s.title_fr) }
            @if photo { img.photo src={ "/projects/" (p.id) "/photo" } alt=(s.title_fr); }
            dl.facts {
                dt { (tr.t("project-field-douar")) } dd { (douar_shown(tr, &s.douar)) }
                dt { (tr.t("project-field-sector")) } dd { (sector_name(tr, s.sector)) }
                dt { (tr.t("project-field-status")) } dd.status data-status=(s.status.as_str()) { (status_name(tr, s.status)) }
                dt { (tr.t("project-field-started_on")) } dd dir="ltr" { (s.started_on) }
                @if !s.skills.is_empty() { dt { (tr.t("project-field-skills")) } dd.lines { (s.skills) } }
                @if !s.equipment.is_empty() { dt { (tr.t("project-field-equipment")) } dd.lines { (s.equipment) } }
                @if !s.contacts.is_empty() { dt { (tr.t("project-field-contacts")) } dd.lines { (s.contacts) } }
                dt { (tr.t("project-field-budget")) } dd #budget dir="ltr" { (show_dirhams(s.budget)) " MAD" }
                dt { (tr.t("project-field-found")) } dd #found dir="ltr" { (show_dirhams(s.found)) " MAD" }
                dt { (tr.t("project-missing")) } dd #missing dir="ltr" { (show_dirhams(s.missing())) " MAD" }
                @if !s.contact.is_empty() { dt { (tr.t("project-field-contact")) } dd { (s.contact) } }
            }
            @if !s.timeline.is_empty() {
                h2 { (tr.t("project-timeline")) }
                ol.timeline {
                    @for step in &s.timeline {
                        li data-done=(step.done) {
                            time dir="ltr" datetime=(step.on) { (step.on) } " · " (step.what) " · "
                            (if step.done { tr.t("project-step-done") } else { tr.t("project-step-planned") })
                        }
                    }
                }
            }
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ProjectId(id): ProjectId,
) -> Result<Response, PageError> {
    let project = found(state.projects.get(id).await)?;
    Ok(project_page(
        &state,
        &page,
        &project,
        &Typed::of(&project.sheet),
        None,
        StatusCode::OK,
    )
    .await)
}

fn found(result: Result<Project, ProjectError>) -> Result<Project, PageError> {
    result.map_err(|e| match e {
        ProjectError::Unknown(_) => PageError::NotFound("project-unknown"),
        e => PageError::Failed(e.to_string()),
    })
}

/// The register's part of a project's page: who could help, and the contributions.
async fn diaspora_part(
    state: &AppState,
    page: &Page<DossierWork>,
    project: &Project,
    problem: Option<&str>,
) -> Markup {
    let tr = page.tr;
    let read = async {
        let members = state.diaspora.register(page.actor(), None).await?.members;
        let fits = crate::diaspora::Diaspora::fitting(&members, &project.sheet);
        let contributions = state
            .diaspora
            .contributions(page.actor(), project.id)
            .await?;
        Ok::<_, crate::diaspora::DiasporaStoreError>((fits, contributions, members))
    };
    match read.await {
        Ok((fits, contributions, members)) => html! {
            (super::diaspora::timeline_with_missions(tr, &project.sheet.timeline, &contributions))
            (super::diaspora::fitting_view(tr, &fits))
            (super::diaspora::contributions_view(tr, &page.session.csrf, project.id, &contributions, &members, problem))
        },
        Err(crate::diaspora::DiasporaStoreError::Dossiers(
            crate::dossiers::DossierStoreError::Locked,
        )) => html! { p.hint #fitting { (tr.t("diaspora-fitting-locked")) } },
        Err(e) => {
            tracing::error!(error = %e, project = project.id, "the diaspora register could not be read");
            html! { p.problem #fitting { (tr.t("diaspora-unavailable")) } }
        }
    }
}

/// The project's page again, with why a contribution was refused.
pub async fn refused_contribution(
    state: &AppState,
    page: &Page<DossierWork>,
    project: &Project,
    problem: String,
) -> Response {
    project_page_with(
        state,
        page,
        project,
        &Typed::of(&project.sheet),
        None,
        Some(&problem),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn project_page(
    state: &AppState,
    page: &Page<DossierWork>,
    project: &Project,
    typed: &Typed,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    project_page_with(state, page, project, typed, problem, None, status).await
}

async fn project_page_with(
    state: &AppState,
    page: &Page<DossierWork>,
    project: &Project,
    typed: &Typed,
    problem: Option<String>,
    contribution_problem: Option<&str>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    // Who in the diaspora register could help, and what they give (the register is in the
    // dossiers: when they are locked, the page says so and the sheet is still there).
    let diaspora = diaspora_part(state, page, project, contribution_problem).await;
    let photo = state.projects.has_photo(project.id).await.unwrap_or(false);
    let body = html! {
        (sheet_view(tr, project, photo))
        (diaspora)
        p.meta { (tr.t2("project-edited", "by", &project.edited_by, "at", &project.edited_at)) }
        p {
            a.button href={ "/projects/" (project.id) "/sheet" } { (tr.t("project-print")) } " "
            a.button href={ "/projects/" (project.id) "/card.png" } download={ "project-" (project.id) ".png" } { (tr.t("project-card")) }
        }
        form.card #project-photo method="post" action={ "/projects/" (project.id) "/photo" } enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(page.session.csrf);
            label { (tr.t("project-photo")) input type="file" name="photo" accept="image/jpeg,image/png" required; }
            p.hint { (tr.t("project-photo-hint")) }
            button type="submit" { (tr.t("project-photo-send")) }
        }
        h2 { (tr.t("project-edit")) }
        (sheet_form(state, page, Some(project), typed, problem))
    };
    let title = project.sheet.title_fr.clone();
    (
        status,
        layout(tr, &title, Some(&page.session), "/projects", body),
    )
        .into_response()
}

/// The page to print: the sheet alone, nothing about who wrote it.
pub async fn printable(
    State(state): State<AppState>,
    Page { tr, .. }: Page<DossierWork>,
    ProjectId(id): ProjectId,
) -> Result<Response, PageError> {
    let project = found(state.projects.get(id).await)?;
    let settings = state.live.get();
    let commune = &settings.commune;
    let photo = state.projects.has_photo(id).await.unwrap_or(false);
    let body = html! {
        p.commune { bdi lang="ar" dir="rtl" { (commune.name_ar) } " · " (commune.name_latin) }
        (sheet_view(tr, &project, photo))
    };
    Ok(layout(
        tr,
        &project.sheet.title_fr,
        None,
        &format!("/projects/{id}/sheet"),
        body,
    )
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let (typed, parsed) = from_form(&fields);
    let result = match parsed {
        Ok(sheet) => state.projects.save(page.actor(), None, sheet).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => match explain(tr, &e) {
            Some(problem) => Ok(new_page(
                &state,
                &page,
                &typed,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )),
            None => Err(PageError::Failed(e.to_string())),
        },
    }
}

pub async fn change(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ProjectId(id): ProjectId,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let project = found(state.projects.get(id).await)?;
    let version = fields
        .get("version")
        .parse::<i64>()
        .map_err(|_| PageError::BadForm)?;
    let (typed, parsed) = from_form(&fields);
    let result = match parsed {
        Ok(sheet) => {
            state
                .projects
                .save(page.actor(), Some((id, version)), sheet)
                .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => match explain(page.tr, &e) {
            Some(problem) => Ok(project_page(
                &state,
                &page,
                &project,
                &typed,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await),
            None => Err(PageError::Failed(e.to_string())),
        },
    }
}

/// The project's card for messaging apps (PNG, 1080 × 1350).
pub async fn card(
    State(state): State<AppState>,
    _: Page<DossierWork>,
    ProjectId(id): ProjectId,
) -> Result<Response, PageError> {
    let png = state.projects.card_png(id).await.map_err(|e| match e {
        ProjectError::Unknown(_) => PageError::NotFound("project-unknown"),
        e => PageError::Failed(e.to_string()),
    })?;
    Ok(([(axum::http::header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// `POST /projects/{id}/photo`: the sheet's photo, from a file input (multipart), with the
/// session's CSRF token in the form.
pub async fn upload_photo(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ProjectId(id): ProjectId,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let project = found(state.projects.get(id).await)?;
    let (mut csrf, mut photo) = (String::new(), None);
    let too_big = || baom_domain::projects::PhotoError::TooBig {
        bytes: baom_domain::projects::MAX_PHOTO_BYTES + 1,
    };
    let mut refusal = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                match field.bytes().await {
                    Ok(bytes) if name == "csrf" => {
                        csrf = String::from_utf8_lossy(&bytes).into_owned()
                    }
                    Ok(bytes) if name == "photo" => photo = Some(bytes.to_vec()),
                    Ok(_) => {}
                    Err(_) => {
                        refusal = Some(too_big());
                        break;
                    }
                }
            }
            Ok(None) => break,
            // A body over the route's limit, or not a form at all.
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                refusal = Some(too_big());
                break;
            }
            Err(_) => return Err(PageError::BadForm),
        }
    }
    // The form's token is checked whatever else is wrong with it: a refusal's page is only
    // for this session's own forms.
    if !crate::web::auth::same_token(&csrf, &page.session.csrf) {
        return Err(PageError::Csrf);
    }
    let result = match refusal {
        Some(e) => Err(ProjectError::Photo(e)),
        None => {
            state
                .projects
                .set_photo(page.actor(), id, photo.unwrap_or_default())
                .await
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => match explain(page.tr, &e) {
            Some(problem) => Ok(project_page(
                &state,
                &page,
                &project,
                &Typed::of(&project.sheet),
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await),
            None => Err(PageError::Failed(e.to_string())),
        },
    }
}

/// `GET /projects/{id}/photo`: the sheet's photo as it was sent, typed by its first bytes.
pub async fn photo(
    State(state): State<AppState>,
    _: Page<DossierWork>,
    ProjectId(id): ProjectId,
) -> Result<Response, PageError> {
    match state
        .projects
        .photo(id)
        .await
        .map_err(|e| PageError::Failed(e.to_string()))?
    {
        Some((mime, bytes)) => {
            Ok(([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response())
        }
        None => Err(PageError::NotFound("project-no-photo")),
    }
}
