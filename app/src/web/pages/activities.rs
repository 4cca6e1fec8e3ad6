//! The office's activities: officers and supervisors list, record and correct an activity (its
//! kind, day, place, audience, partners from the directory, the attendance as counts by sex
//! and profile, and the written report), and print the report. The rules are
//! `baom_domain::activities`', the storage `crate::activities`'.

use super::extract::{ActivityId, CsrfForm, DossierWork, Fields, Page};
use super::layout;
use super::refusal::PageError;
use crate::activities::{ActivityStoreError, Recorded};
use crate::i18n::Tr;
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::activities::{
    Activity, ActivityError, Attendance, Group, Kind, Report, parse_count, parse_date,
};
use baom_domain::dossier::Sex;
use maud::{Markup, html};

const SEXES: [Sex; 2] = [Sex::Female, Sex::Male];

fn kind_name(tr: Tr, k: Kind) -> String {
    tr.t(&format!("activity-kind-{}", k.as_str()))
}

fn group_name(tr: Tr, g: Group) -> String {
    match g {
        Group::Profile(p) => tr.t(&format!("profile-{}", p.as_str())),
        Group::Other => tr.t("activity-group-other"),
    }
}

fn cell(sex: Sex, group: Group) -> String {
    format!("att.{}.{}", sex.as_str(), group.as_str())
}

pub async fn list(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DossierWork>,
) -> Result<Response, PageError> {
    let all = state.activities.list().await.map_err(failed)?;
    let body = html! {
        h1 { (tr.t("activity-title")) }
        p { (tr.t("activity-explain")) }
        p { a.button href="/activities/new" { (tr.t("activity-new")) } }
        @if all.is_empty() { p.empty { (tr.t("activity-empty")) } }
        @else {
            table.activities {
                thead { tr {
                    th { (tr.t("activity-field-on")) }
                    th { (tr.t("activity-field-kind")) }
                    th { (tr.t("activity-field-title")) }
                    th { (tr.t("activity-field-place")) }
                    th { (tr.t("activity-attendance")) }
                } }
                tbody {
                    @for r in &all {
                        tr data-id=(r.id) {
                            td dir="ltr" { (r.activity.on) }
                            td { (kind_name(tr, r.activity.kind)) }
                            td { a href={ "/activities/" (r.id) } { (r.activity.title) } }
                            td { (r.activity.place) }
                            td.total { (r.activity.attendance.total()) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(
        tr,
        &tr.t("activity-title"),
        Some(&session),
        "/activities",
        body,
    )
    .into_response())
}

/// The activity an address names.
async fn recorded_at(state: &AppState, id: i64) -> Result<Recorded, PageError> {
    state.activities.get(id).await.map_err(failed)
}

fn failed(e: ActivityStoreError) -> PageError {
    match e {
        ActivityStoreError::Unknown(_) => PageError::NotFound("activity-unknown"),
        e => PageError::Failed(e.to_string()),
    }
}

fn blank(today: jiff::civil::Date) -> Activity {
    Activity {
        kind: Kind::AwarenessDay,
        title: String::new(),
        on: today,
        place: String::new(),
        audience: String::new(),
        partners: Vec::new(),
        attendance: Attendance::default(),
        report: Report::default(),
    }
}

/// What the form holds as typed (counts and the day as text), to show it again on a refusal.
struct Typed {
    activity: Activity,
    on: String,
    counts: Vec<(String, String)>,
}

impl Typed {
    fn of(a: &Activity) -> Typed {
        let counts = SEXES
            .into_iter()
            .flat_map(|s| Group::ALL.into_iter().map(move |g| (s, g)))
            .map(|(s, g)| (cell(s, g), a.attendance.get(s, g).to_string()))
            .collect();
        Typed {
            activity: a.clone(),
            on: a.on.to_string(),
            counts,
        }
    }

    fn count(&self, name: &str) -> &str {
        self.counts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn from_form(f: &Fields, today: jiff::civil::Date) -> (Typed, Result<Activity, ActivityError>) {
    let mut shown = blank(today);
    shown.title = f.get("title").trim().to_owned();
    shown.place = f.get("place").trim().to_owned();
    shown.audience = f.get("audience").trim().to_owned();
    shown.partners = f.all("partner").into_iter().map(str::to_owned).collect();
    shown.report = Report {
        objectives: f.get("objectives").trim().to_owned(),
        held: f.get("held").trim().to_owned(),
        outcome: f.get("outcome").trim().to_owned(),
        next_steps: f.get("next_steps").trim().to_owned(),
    };
    shown.kind = Kind::parse(f.get("kind")).unwrap_or(Kind::Other);
    let counts: Vec<(String, String)> = SEXES
        .into_iter()
        .flat_map(|s| Group::ALL.into_iter().map(move |g| (s, g)))
        .map(|(s, g)| {
            let name = cell(s, g);
            let typed = f.get(&name).to_owned();
            (name, typed)
        })
        .collect();
    let parsed = (|| {
        let mut a = shown.clone();
        a.kind = Kind::parse(f.get("kind"))?;
        a.on = parse_date(f.get("on"))?;
        for s in SEXES {
            for g in Group::ALL {
                a.attendance
                    .set(s, g, parse_count(s, g, f.get(&cell(s, g)))?);
            }
        }
        Ok(a)
    })();
    if let Ok(a) = &parsed {
        shown = a.clone();
    }
    let typed = Typed {
        activity: shown,
        on: f.get("on").to_owned(),
        counts,
    };
    (typed, parsed)
}

fn explain(tr: Tr, e: &ActivityStoreError) -> Option<String> {
    let sentence = |e: &ActivityError| -> String {
        let key = format!("activity-error-{}", e.code());
        match e {
            ActivityError::MissingTitle | ActivityError::MissingPlace => tr.t(&key),
            ActivityError::TooLong { field } => {
                tr.t1(&key, "field", &tr.t(&format!("activity-field-{field}")))
            }
            ActivityError::NotACount { sex, group, typed } => tr.ta(
                &key,
                &[
                    ("sex", &tr.t(&format!("sex-{sex}"))),
                    (
                        "group",
                        &Group::parse(group)
                            .map_or_else(|| (*group).to_owned(), |g| group_name(tr, g)),
                    ),
                    ("typed", typed),
                ],
            ),
            ActivityError::AttendanceAhead { on, today } => {
                tr.t2(&key, "on", &on.to_string(), "today", &today.to_string())
            }
            ActivityError::UnknownPartner(typed)
            | ActivityError::UnknownKind(typed)
            | ActivityError::NotADate { typed } => tr.t1(&key, "typed", typed),
        }
    };
    Some(match e {
        ActivityStoreError::Refused(e) => {
            format!("{} · {}", tr.t("activity-refused"), sentence(e))
        }
        ActivityStoreError::Stale { by, at } => tr.t2("activity-stale", "by", by, "at", at),
        ActivityStoreError::Unknown(_) | ActivityStoreError::Store(_) => return None,
    })
}

fn activity_form(
    state: &AppState,
    page: &Page<DossierWork>,
    recorded: Option<&Recorded>,
    typed: &Typed,
    problem: Option<String>,
) -> Markup {
    let tr = page.tr;
    let a = &typed.activity;
    let action = match recorded {
        Some(r) => format!("/activities/{}", r.id),
        None => "/activities".to_owned(),
    };
    let partners = state.directory.current();
    html! {
        @if let Some(problem) = &problem { p.problem role="alert" #activity-problem { (problem) } }
        form.card.activity method="post" action=(action) {
            input type="hidden" name="csrf" value=(page.session.csrf);
            @if let Some(r) = recorded { input type="hidden" name="version" value=(r.version); }
            label { (tr.t("activity-field-kind"))
                select name="kind" {
                    @for k in Kind::ALL { option value=(k.as_str()) selected[a.kind == k] { (kind_name(tr, k)) } }
                }
            }
            label { (tr.t("activity-field-title")) input name="title" value=(a.title) required maxlength="200"; }
            label { (tr.t("activity-field-on")) input type="date" name="on" value=(typed.on) dir="ltr" required; }
            label { (tr.t("activity-field-place")) input name="place" value=(a.place) required maxlength="200"; }
            label { (tr.t("activity-field-audience")) input name="audience" value=(a.audience) maxlength="200"; }
            @if !partners.items.is_empty() {
                fieldset {
                    legend { (tr.t("activity-field-partners")) }
                    @for p in &partners.items {
                        label.check { input type="checkbox" name="partner" value=(p.id) checked[a.partners.contains(&p.id)]; " " (p.name) }
                    }
                }
            }
            fieldset.attendance {
                legend { (tr.t("activity-attendance")) }
                p.hint { (tr.t("activity-attendance-hint")) }
                table {
                    thead { tr { th {} @for s in SEXES { th { (tr.t(&format!("sex-{}", s.as_str()))) } } } }
                    tbody {
                        @for g in Group::ALL {
                            tr {
                                th scope="row" { (group_name(tr, g)) }
                                @for s in SEXES {
                                    td { input name=(cell(s, g)) value=(typed.count(&cell(s, g))) inputmode="numeric" dir="ltr" size="5" aria-label={ (group_name(tr, g)) " · " (tr.t(&format!("sex-{}", s.as_str()))) }; }
                                }
                            }
                        }
                    }
                }
            }
            fieldset {
                legend { (tr.t("activity-report")) }
                @for (name, text) in [("objectives", &a.report.objectives), ("held", &a.report.held), ("outcome", &a.report.outcome), ("next_steps", &a.report.next_steps)] {
                    label { (tr.t(&format!("activity-field-{name}"))) textarea name=(name) rows="4" { (text) } }
                }
            }
            button.primary type="submit" { (tr.t("admin-save")) }
        }
    }
}

fn form_page(
    state: &AppState,
    page: &Page<DossierWork>,
    recorded: Option<&Recorded>,
    typed: &Typed,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let title = match recorded {
        Some(r) => r.activity.title.clone(),
        None => tr.t("activity-new"),
    };
    let body = html! {
        @match recorded {
            Some(r) => {
                (report_view(state, tr, r))
                p { a.button href={ "/activities/" (r.id) "/report" } { (tr.t("activity-print")) } }
                p.meta { (tr.t2("activity-edited", "by", &r.edited_by, "at", &r.edited_at)) }
                h2 { (tr.t("activity-edit")) }
            }
            None => { h1 { (title) } }
        }
        (activity_form(state, page, recorded, typed, problem))
    };
    (
        status,
        layout(tr, &title, Some(&page.session), "/activities", body),
    )
        .into_response()
}

/// The activity and its report as people read them, on its page and printed.
fn report_view(state: &AppState, tr: Tr, r: &Recorded) -> Markup {
    let a = &r.activity;
    let partners = state.directory.current();
    let names: Vec<String> = a
        .partners
        .iter()
        .map(|id| {
            partners
                .items
                .iter()
                .find(|p| &p.id == id)
                .map_or_else(|| id.clone(), |p| p.name.clone())
        })
        .collect();
    html! {
        article.activity-report data-id=(r.id) {
            h1 { (a.title) }
            dl.facts {
                dt { (tr.t("activity-field-kind")) } dd { (kind_name(tr, a.kind)) }
                dt { (tr.t("activity-field-on")) } dd dir="ltr" { (a.on) }
                dt { (tr.t("activity-field-place")) } dd { (a.place) }
                @if !a.audience.is_empty() { dt { (tr.t("activity-field-audience")) } dd { (a.audience) } }
                @if !names.is_empty() { dt { (tr.t("activity-field-partners")) } dd { (names.join(", ")) } }
            }
            h2 { (tr.t("activity-attendance")) }
            table.attendance #attendance {
                thead { tr { th {} @for s in SEXES { th { (tr.t(&format!("sex-{}", s.as_str()))) } } th { (tr.t("activity-total")) } } }
                tbody {
                    @for g in Group::ALL {
                        tr { th scope="row" { (group_name(tr, g)) } @for s in SEXES { td { (a.attendance.get(s, g)) } } td { (u64::from(a.attendance.get(Sex::Female, g)) + u64::from(a.attendance.get(Sex::Male, g))) } }
                    }
                    tr.total { th scope="row" { (tr.t("activity-total")) } @for s in SEXES { td { (a.attendance.of_sex(s)) } } td { (a.attendance.total()) } }
                }
            }
            @for (name, text) in [("objectives", &a.report.objectives), ("held", &a.report.held), ("outcome", &a.report.outcome), ("next_steps", &a.report.next_steps)] {
                @if !text.is_empty() { h2 { (tr.t(&format!("activity-field-{name}"))) } p.lines { (text) } }
            }
        }
    }
}

pub async fn new_form(State(state): State<AppState>, page: Page<DossierWork>) -> Response {
    let today = state.queue.catalogue().local_day(crate::clock::now());
    form_page(
        &state,
        &page,
        None,
        &Typed::of(&blank(today)),
        None,
        StatusCode::OK,
    )
}

pub async fn show(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ActivityId(id): ActivityId,
) -> Result<Response, PageError> {
    let r = recorded_at(&state, id).await?;
    Ok(form_page(
        &state,
        &page,
        Some(&r),
        &Typed::of(&r.activity),
        None,
        StatusCode::OK,
    ))
}

/// The report to print: the activity, its attendance and its report; not who wrote it.
pub async fn printable(
    State(state): State<AppState>,
    Page { tr, .. }: Page<DossierWork>,
    ActivityId(id): ActivityId,
) -> Result<Response, PageError> {
    let r = recorded_at(&state, id).await?;
    let settings = state.live.get();
    let commune = &settings.commune;
    let body = html! {
        p.commune { bdi lang="ar" dir="rtl" { (commune.name_ar) } " · " (commune.name_latin) }
        (report_view(&state, tr, &r))
    };
    Ok(layout(
        tr,
        &r.activity.title,
        None,
        &format!("/activities/{}/report", r.id),
        body,
    )
    .into_response())
}

async fn save(
    state: &AppState,
    page: &Page<DossierWork>,
    recorded: Option<Recorded>,
    fields: &Fields,
) -> Result<Response, PageError> {
    let catalogue = state.queue.catalogue();
    let today = catalogue.local_day(crate::clock::now());
    let id = match &recorded {
        Some(r) => Some((
            r.id,
            fields
                .get("version")
                .parse::<i64>()
                .map_err(|_| PageError::BadForm)?,
        )),
        None => None,
    };
    let (typed, parsed) = from_form(fields, today);
    let result = match parsed {
        Ok(a) => state.activities.save(page.actor(), id, a, &catalogue).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/activities/{id}")).into_response()),
        Err(e) => match explain(page.tr, &e) {
            Some(problem) => Ok(form_page(
                state,
                page,
                recorded.as_ref(),
                &typed,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )),
            None => Err(failed(e)),
        },
    }
}

pub async fn create(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    save(&state, &page, None, &fields).await
}

pub async fn change(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ActivityId(id): ActivityId,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let r = recorded_at(&state, id).await?;
    save(&state, &page, Some(r), &fields).await
}
