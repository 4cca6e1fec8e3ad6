//! The diaspora register's page: officers and supervisors read it, search the skills inventory,
//! add associations and members (with the consent they gave); supervisors erase a member on
//! request. The rules are `baom_domain::diaspora`'s, the storage `crate::diaspora`'s.

use super::extract::{
    ContributionId, CsrfForm, DossierWork, Fields, MemberId, Page, ProjectId, Supervision,
};
use super::layout;
use super::refusal::PageError;
use crate::diaspora::{DiasporaStoreError, Register};
use crate::dossiers::diaspora::{StoredContribution, StoredMember};
use crate::i18n::Tr;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::diaspora::{
    Association, AssociationKind, Contribution, ContributionState, DiasporaError, Member, Offer,
    Reason, parse_skills,
};
use baom_domain::dossier::ConsentMethod;
use baom_domain::projects::{Sector, parse_dirhams, show_dirhams};
use maud::{Markup, html};
use std::collections::HashMap;

fn offer_name(tr: Tr, o: Offer) -> String {
    tr.t(&format!("diaspora-offer-{}", o.as_str()))
}

fn where_they_live(tr: Tr, m: &Member) -> String {
    if m.internal() {
        format!("{} ({})", m.town, tr.t("diaspora-internal"))
    } else {
        format!("{}, {}", m.town, m.country)
    }
}

/// What a refused member form held, to show it again.
#[derive(Default)]
struct Typed {
    fields: Vec<(String, String)>,
}

impl Typed {
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    fn has(&self, name: &str, value: &str) -> bool {
        self.fields.iter().any(|(k, v)| k == name && v == value)
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let skill = query.get("skill").cloned().unwrap_or_default();
    let register = state
        .diaspora
        .register(page.actor(), Some(skill.clone()))
        .await
        .map_err(failed)?;
    Ok(render(
        &state,
        &page,
        &register,
        &skill,
        None,
        &Typed::default(),
        StatusCode::OK,
    ))
}

fn failed(e: DiasporaStoreError) -> PageError {
    match e {
        DiasporaStoreError::Dossiers(d) => d.into(),
        e => PageError::Failed(e.to_string()),
    }
}

fn render(
    state: &AppState,
    page: &Page<DossierWork>,
    register: &Register,
    skill: &str,
    problem: Option<String>,
    typed: &Typed,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let csrf = &page.session.csrf;
    let supervisor = page.session.account.role.supervises();
    let settings = state.live.get();
    let association_name = |id: Option<i64>| {
        id.and_then(|id| register.associations.iter().find(|a| a.id == id))
            .map(|a| a.association.name.clone())
    };
    let body = html! {
        h1 { (tr.t("diaspora-title")) }
        p { (tr.t("diaspora-explain")) }
        @if let Some(problem) = &problem { p.problem role="alert" #diaspora-problem { (problem) } }
        form.card.search method="get" action="/diaspora" {
            label { (tr.t("diaspora-search-skill")) input name="skill" value=(skill) type="search"; }
            button type="submit" { (tr.t("diaspora-search")) }
        }
        @let templates = state.papers.templates();
        @if !templates.items.is_empty() {
            form.card #merge method="get" action="/diaspora/letters" {
                label { (tr.t("diaspora-letters-template"))
                    select name="template" { @for t in &templates.items { option value=(t.id) { (t.title) } } }
                }
                input type="hidden" name="skill" value=(skill);
                button type="submit" { (tr.t("diaspora-letters-make")) }
                p.hint { (tr.t("diaspora-letters-hint")) }
            }
        }
        section.card #members {
            h2 { (tr.t("diaspora-members")) }
            @if register.members.is_empty() { p.empty { (tr.t("diaspora-none")) } }
            @for m in &register.members {
                article.member data-id=(m.id) {
                    h3 { (m.member.name)
                        @if let Some(p) = m.member.person { " · " a href={ "/people/" (p) } { (tr.t1("diaspora-has-dossier", "n", &p.to_string())) } } }
                    dl.facts {
                        dt { (tr.t("diaspora-lives")) } dd { (where_they_live(tr, &m.member)) }
                        @if !m.member.douar.is_empty() { dt { (tr.t("diaspora-douar")) } dd { (m.member.douar) } }
                        @if let Some(a) = association_name(m.member.association) { dt { (tr.t("diaspora-association")) } dd { (a) } }
                        @if !m.member.phone.is_empty() { dt { (tr.t("field-phone")) } dd dir="ltr" { (m.member.phone) } }
                        @if !m.member.skills.is_empty() { dt { (tr.t("diaspora-skills")) } dd.skills { (m.member.skills.join(", ")) } }
                        @if !m.member.sectors.is_empty() {
                            dt { (tr.t("diaspora-sectors")) }
                            dd { (m.member.sectors.iter().map(|s| tr.t(&format!("project-sector-{}", s.as_str()))).collect::<Vec<_>>().join(", ")) }
                        }
                        @if !m.member.offers.is_empty() {
                            dt { (tr.t("diaspora-offers")) }
                            dd { (m.member.offers.iter().map(|o| offer_name(tr, *o)).collect::<Vec<_>>().join(", ")) }
                        }
                        dt { (tr.t("diaspora-consent")) }
                        dd { (tr.t(&format!("consent-method-{}", m.member.consent_method.as_str()))) " · " span dir="ltr" { (m.member.consent_on) } }
                    }
                    @if supervisor {
                        form method="post" action={ "/diaspora/members/" (m.id) "/erase" } data-confirm=(tr.t("diaspora-erase-confirm")) {
                            input type="hidden" name="csrf" value=(csrf);
                            button.danger type="submit" { (tr.t("diaspora-erase")) }
                        }
                    }
                }
            }
        }
        form.card #add-member method="post" action="/diaspora/members" {
            h2 { (tr.t("diaspora-add-member")) }
            input type="hidden" name="csrf" value=(csrf);
            label { (tr.t("diaspora-name")) input name="name" value=(typed.get("name")) required maxlength="120"; }
            label { (tr.t("field-phone")) input name="phone" value=(typed.get("phone")) dir="ltr" inputmode="tel" maxlength="40"; }
            label { (tr.t("diaspora-person")) input name="person" value=(typed.get("person")) dir="ltr" inputmode="numeric" maxlength="12"; }
            p.hint { (tr.t("diaspora-person-hint")) }
            label { (tr.t("diaspora-country")) input name="country" value=(typed.get("country")) dir="ltr" maxlength="2" required placeholder="FR"; }
            p.hint { (tr.t("diaspora-country-hint")) }
            label { (tr.t("diaspora-town")) input name="town" value=(typed.get("town")) required maxlength="80"; }
            label { (tr.t("diaspora-douar"))
                select name="douar" {
                    option value="" { "—" }
                    @for d in &settings.douars { option value=(d.name) selected[typed.get("douar") == d.name] { (d.name) } }
                }
            }
            label { (tr.t("diaspora-association"))
                select name="association" {
                    option value="" { "—" }
                    @for a in &register.associations { option value=(a.id) selected[typed.get("association") == a.id.to_string()] { (a.association.name) } }
                }
            }
            label { (tr.t("diaspora-skills")) textarea name="skills" rows="3" { (typed.get("skills")) } }
            p.hint { (tr.t("diaspora-skills-hint")) }
            fieldset {
                legend { (tr.t("diaspora-sectors")) }
                @for sector in Sector::ALL {
                    label.check { input type="checkbox" name="sector" value=(sector.as_str()) checked[typed.has("sector", sector.as_str())]; " " (tr.t(&format!("project-sector-{}", sector.as_str()))) }
                }
            }
            fieldset {
                legend { (tr.t("diaspora-offers")) }
                @for o in Offer::ALL {
                    label.check { input type="checkbox" name="offer" value=(o.as_str()) checked[typed.has("offer", o.as_str())]; " " (offer_name(tr, o)) }
                }
            }
            fieldset {
                legend { (tr.t("diaspora-consent")) }
                p.hint { (tr.t("diaspora-consent-hint")) }
                label { (tr.t("consent-method"))
                    select name="consent_method" {
                        option value="oral" selected[typed.get("consent_method") != "written"] { (tr.t("consent-method-oral")) }
                        option value="written" selected[typed.get("consent_method") == "written"] { (tr.t("consent-method-written")) }
                    }
                }
                label { (tr.t("diaspora-consent-on")) input type="date" name="consent_on" value=(typed.get("consent_on")) dir="ltr" required; }
                label.check { input type="checkbox" name="consent" value="yes" required; " " (tr.t("diaspora-consent-given")) }
            }
            button.primary type="submit" { (tr.t("admin-save")) }
        }
        section.card #associations {
            h2 { (tr.t("diaspora-associations")) }
            @for a in &register.associations {
                p.association data-id=(a.id) {
                    strong { (a.association.name) } " · "
                    (tr.t(&format!("diaspora-kind-{}", a.association.kind.as_str()))) " · "
                    (a.association.town) ", " (a.association.country)
                }
            }
            form #add-association method="post" action="/diaspora/associations" {
                input type="hidden" name="csrf" value=(csrf);
                label { (tr.t("diaspora-association-name")) input name="name" required maxlength="160"; }
                label { (tr.t("diaspora-association-kind"))
                    select name="kind" {
                        @for k in AssociationKind::ALL { option value=(k.as_str()) { (tr.t(&format!("diaspora-kind-{}", k.as_str()))) } }
                    }
                }
                label { (tr.t("diaspora-country")) input name="country" dir="ltr" maxlength="2" required placeholder="FR"; }
                label { (tr.t("diaspora-town")) input name="town" maxlength="80"; }
                button type="submit" { (tr.t("diaspora-add-association")) }
            }
        }
    };
    (
        status,
        layout(
            tr,
            &tr.t("diaspora-title"),
            Some(&page.session),
            "/diaspora",
            body,
        ),
    )
        .into_response()
}

pub fn sentence(tr: Tr, e: &DiasporaError) -> String {
    let key = format!("diaspora-error-{}", e.code());
    match e {
        DiasporaError::MissingName | DiasporaError::MissingTown | DiasporaError::Skills => {
            tr.t(&key)
        }
        DiasporaError::TooLong { typed, .. }
        | DiasporaError::Country { typed }
        | DiasporaError::Douar { typed }
        | DiasporaError::Unknown { typed, .. } => tr.t1(&key, "typed", typed),
        DiasporaError::ConsentAhead { on, today } | DiasporaError::Ahead { on, today } => {
            tr.t2(&key, "on", &on.to_string(), "today", &today.to_string())
        }
        DiasporaError::Amount { typed } => tr.t1(&key, "typed", typed),
        DiasporaError::AboveAsked { amount, missing } => tr.t2(
            &key,
            "amount",
            &baom_domain::projects::show_dirhams(*amount),
            "missing",
            &baom_domain::projects::show_dirhams(*missing),
        ),
        DiasporaError::StepBeforeLast { on, last } => tr.t2(&key, "on", on, "last", last),
        DiasporaError::Step { from, to } => tr.t2(
            &key,
            "from",
            &tr.t(&format!("contribution-state-{from}")),
            "to",
            &tr.t(&format!("contribution-state-{to}")),
        ),
    }
}

async fn refused(
    state: &AppState,
    page: &Page<DossierWork>,
    e: DiasporaStoreError,
    typed: Typed,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let problem = match &e {
        DiasporaStoreError::Refused(e) => {
            format!("{} · {}", tr.t("diaspora-refused"), sentence(tr, e))
        }
        DiasporaStoreError::Dossiers(crate::dossiers::DossierStoreError::NotFound(what)) => {
            format!(
                "{} · {}",
                tr.t("diaspora-refused"),
                tr.t(super::refusal::unknown_key(what))
            )
        }
        _ => return Err(failed(e)),
    };
    let register = state
        .diaspora
        .register(page.actor(), None)
        .await
        .map_err(failed)?;
    Ok(render(
        state,
        page,
        &register,
        "",
        Some(problem),
        &typed,
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

pub async fn add_association(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let parsed = AssociationKind::parse(f.get("kind")).map(|kind| Association {
        name: f.get("name").trim().to_owned(),
        kind,
        country: f.get("country").trim().to_uppercase(),
        town: f.get("town").trim().to_owned(),
    });
    let result = match parsed {
        Ok(a) => state.diaspora.add_association(page.actor(), a).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/diaspora#associations").into_response()),
        Err(e) => refused(&state, &page, e, Typed::default()).await,
    }
}

fn member_of(f: &Fields) -> Result<Member, DiasporaError> {
    let unknown = |field: &'static str, typed: &str| DiasporaError::Unknown {
        field,
        typed: typed.to_owned(),
    };
    let association = match f.get("association") {
        "" => None,
        a => Some(a.parse::<i64>().map_err(|_| unknown("association", a))?),
    };
    let consent_on = f
        .get("consent_on")
        .trim()
        .parse()
        .map_err(|_| unknown("consent_on", f.get("consent_on")))?;
    let person = match f.get("person").trim() {
        "" => None,
        p => Some(p.parse::<i64>().map_err(|_| unknown("person", p))?),
    };
    Ok(Member {
        person,
        name: f.get("name").trim().to_owned(),
        phone: f.get("phone").trim().to_owned(),
        country: f.get("country").trim().to_uppercase(),
        town: f.get("town").trim().to_owned(),
        douar: f.get("douar").to_owned(),
        association,
        skills: parse_skills(f.get("skills")),
        sectors: f
            .all("sector")
            .into_iter()
            .map(|s| Sector::parse(s).map_err(|_| unknown("sector", s)))
            .collect::<Result<_, _>>()?,
        offers: f
            .all("offer")
            .into_iter()
            .map(Offer::parse)
            .collect::<Result<_, _>>()?,
        consent_method: ConsentMethod::parse(f.get("consent_method"))
            .ok_or_else(|| unknown("consent_method", f.get("consent_method")))?,
        consent_on,
    })
}

pub async fn add_member(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CsrfForm(f): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let typed = Typed {
        fields: f.0.clone(),
    };
    if !f.ticked("consent") {
        let problem = format!(
            "{} · {}",
            page.tr.t("diaspora-refused"),
            page.tr.t("diaspora-error-no_consent")
        );
        let register = state
            .diaspora
            .register(page.actor(), None)
            .await
            .map_err(failed)?;
        return Ok(render(
            &state,
            &page,
            &register,
            "",
            Some(problem),
            &typed,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let result = match member_of(&f) {
        Ok(m) => state.diaspora.add_member(page.actor(), m).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/diaspora#members").into_response()),
        Err(e) => refused(&state, &page, e, typed).await,
    }
}

pub async fn erase_member(
    State(state): State<AppState>,
    page: Page<Supervision>,
    MemberId(id): MemberId,
    CsrfForm(_): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    state
        .diaspora
        .erase_member(page.actor(), id)
        .await
        .map_err(failed)?;
    Ok(Redirect::to("/diaspora#members").into_response())
}

/// The members who fit a project, for its page: who, and why.
pub fn fitting_view(tr: Tr, fits: &[(StoredMember, Vec<Reason>)]) -> Markup {
    html! {
        section.card #fitting {
            h2 { (tr.t("diaspora-fitting")) }
            @if fits.is_empty() { p.empty { (tr.t("diaspora-fitting-none")) } }
            ul {
                @for (m, why) in fits {
                    li data-member=(m.id) {
                        strong { (m.member.name) } " · " (where_they_live(tr, &m.member)) " — "
                        (why.iter().map(|r| match r {
                            Reason::Skill(s) => tr.t1("diaspora-why-skill", "skill", s),
                            Reason::Douar => tr.t("diaspora-why-douar"),
                            Reason::Sector => tr.t("diaspora-why-sector"),
                            Reason::Money(o) => tr.t1("diaspora-why-money", "offer", &offer_name(tr, *o)),
                        }).collect::<Vec<_>>().join(" · "))
                    }
                }
            }
        }
    }
}

fn state_name(tr: Tr, s: ContributionState) -> String {
    tr.t(&format!("contribution-state-{}", s.as_str()))
}

/// A project's contributions and the forms to record one and move it on.
pub fn contributions_view(
    tr: Tr,
    csrf: &str,
    project: i64,
    contributions: &[StoredContribution],
    members: &[StoredMember],
    problem: Option<&str>,
) -> Markup {
    let sum = |state: ContributionState| -> u64 {
        contributions
            .iter()
            .filter(|c| {
                c.state == state && matches!(c.contribution.kind, Offer::Funds | Offer::InKind)
            })
            .map(|c| c.contribution.amount)
            .sum()
    };
    html! {
        section.card #contributions {
            h2 { (tr.t("contribution-title")) }
            @if let Some(problem) = problem { p.problem role="alert" #contribution-problem { (problem) } }
            p.totals {
                @for s in [ContributionState::Offered, ContributionState::Agreed, ContributionState::Delivered] {
                    span data-state=(s.as_str()) { (state_name(tr, s)) " : " bdi dir="ltr" { (show_dirhams(sum(s))) " MAD" } } " "
                }
            }
            @for c in contributions {
                article.contribution data-id=(c.id) data-state=(c.state.as_str()) {
                    h3 { (c.member_name) " · " (offer_name(tr, c.contribution.kind))
                        @if c.contribution.amount > 0 { " · " bdi dir="ltr" { (show_dirhams(c.contribution.amount)) " MAD" } }
                        " · " strong { (state_name(tr, c.state)) } }
                    @if !c.contribution.what.is_empty() { p { (c.contribution.what) } }
                    ol.steps {
                        @for (on, s, note) in &c.steps {
                            li { time dir="ltr" { (on) } " · " (state_name(tr, *s)) @if !note.is_empty() { " · " (note) } }
                        }
                    }
                    @let next: Vec<ContributionState> = ContributionState::ALL.into_iter().filter(|to| c.state.step(*to).is_ok()).collect();
                    @if !next.is_empty() {
                        form.step method="post" action={ "/contributions/" (c.id) } {
                            input type="hidden" name="csrf" value=(csrf);
                            select name="state" aria-label=(tr.t("contribution-next")) {
                                @for to in &next { option value=(to.as_str()) { (state_name(tr, *to)) } }
                            }
                            input type="date" name="on" dir="ltr" required aria-label=(tr.t("contribution-on"));
                            input name="note" maxlength="1000" placeholder=(tr.t("contribution-note")) aria-label=(tr.t("contribution-note"));
                            button type="submit" { (tr.t("contribution-record-step")) }
                        }
                    }
                }
            }
            @if members.is_empty() { p.hint { (tr.t("contribution-no-members")) } }
            @else {
                form.card #add-contribution method="post" action={ "/projects/" (project) "/contributions" } {
                    h3 { (tr.t("contribution-add")) }
                    input type="hidden" name="csrf" value=(csrf);
                    label { (tr.t("contribution-member"))
                        select name="member" { @for m in members { option value=(m.id) { (m.member.name) } } }
                    }
                    label { (tr.t("contribution-kind"))
                        select name="kind" { @for o in Offer::ALL { option value=(o.as_str()) { (offer_name(tr, o)) } } }
                    }
                    label { (tr.t("contribution-amount")) input name="amount" dir="ltr" inputmode="numeric"; }
                    label { (tr.t("contribution-what")) input name="what" maxlength="200"; }
                    label { (tr.t("contribution-on")) input type="date" name="on" dir="ltr" required; }
                    label { (tr.t("contribution-note")) input name="note" maxlength="1000"; }
                    button.primary type="submit" { (tr.t("contribution-add")) }
                }
            }
        }
    }
}

fn contribution_of(project: i64, f: &Fields) -> Result<Contribution, DiasporaError> {
    let unknown = |field: &'static str, typed: &str| DiasporaError::Unknown {
        field,
        typed: typed.to_owned(),
    };
    let amount = parse_dirhams("amount", f.get("amount")).map_err(|_| DiasporaError::Amount {
        typed: f.get("amount").to_owned(),
    })?;
    Ok(Contribution {
        member: f
            .get("member")
            .parse()
            .map_err(|_| unknown("member", f.get("member")))?,
        project,
        kind: Offer::parse(f.get("kind"))?,
        amount,
        what: f.get("what").trim().to_owned(),
        on: f
            .get("on")
            .trim()
            .parse()
            .map_err(|_| unknown("on", f.get("on")))?,
    })
}

/// `POST /projects/{id}/contributions`: records a member's contribution to the project.
pub async fn contribute(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ProjectId(id): ProjectId,
    CsrfForm(f): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let project = state.projects.get(id).await.map_err(|e| match e {
        crate::projects::ProjectError::Unknown(_) => PageError::NotFound("project-unknown"),
        e => PageError::Failed(e.to_string()),
    })?;
    let result = match contribution_of(id, &f) {
        Ok(c) => {
            state
                .diaspora
                .contribute(
                    page.actor(),
                    project.sheet.clone(),
                    c,
                    f.get("note").trim().to_owned(),
                )
                .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}#contributions")).into_response()),
        Err(e) => {
            let problem = contribution_problem(page.tr, &e).ok_or_else(|| failed(e))?;
            Ok(super::projects::refused_contribution(&state, &page, &project, problem).await)
        }
    }
}

fn contribution_problem(tr: Tr, e: &DiasporaStoreError) -> Option<String> {
    let why = match e {
        DiasporaStoreError::Refused(e) => sentence(tr, e),
        DiasporaStoreError::Dossiers(crate::dossiers::DossierStoreError::NotFound(what)) => {
            tr.t(super::refusal::unknown_key(what))
        }
        _ => return None,
    };
    Some(format!("{} · {why}", tr.t("diaspora-refused")))
}

/// `POST /contributions/{id}`: the next step of a contribution (agreed, delivered, withdrawn).
pub async fn step(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ContributionId(id): ContributionId,
    CsrfForm(f): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let parsed = ContributionState::parse(f.get("state")).and_then(|to| {
        let on = f
            .get("on")
            .trim()
            .parse()
            .map_err(|_| DiasporaError::Unknown {
                field: "on",
                typed: f.get("on").to_owned(),
            })?;
        Ok((to, on))
    });
    let result = match parsed {
        Ok((to, on)) => {
            state
                .diaspora
                .step(page.actor(), id, to, on, f.get("note").trim().to_owned())
                .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(project) => {
            Ok(Redirect::to(&format!("/projects/{project}#contributions")).into_response())
        }
        Err(e) => {
            let problem = contribution_problem(page.tr, &e).ok_or_else(|| failed(e))?;
            Err(PageError::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                problem,
            ))
        }
    }
}

/// The project's timeline with its volunteers' and experts' missions on it, day by day (for the
/// staff's page only: the missions name who carries them).
pub fn timeline_with_missions(
    tr: Tr,
    timeline: &[baom_domain::projects::Step],
    contributions: &[StoredContribution],
) -> Markup {
    let mut entries: Vec<(String, String, bool)> = timeline
        .iter()
        .map(|s| (s.on.to_string(), s.what.clone(), s.done))
        .collect();
    for c in contributions.iter().filter(|c| {
        matches!(
            c.contribution.kind,
            Offer::Volunteering | Offer::PaidExpertise
        )
    }) {
        for (on, state, note) in &c.steps {
            let mission = tr.ta(
                "contribution-mission",
                &[
                    ("member", &c.member_name),
                    ("kind", &offer_name(tr, c.contribution.kind)),
                    ("what", &c.contribution.what),
                    ("state", &state_name(tr, *state)),
                ],
            );
            let line = if note.is_empty() {
                mission
            } else {
                format!("{mission} · {note}")
            };
            entries.push((on.clone(), line, *state == ContributionState::Delivered));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    html! {
        @if entries.len() > timeline.len() {
            section.card #timeline-missions {
                h2 { (tr.t("contribution-timeline")) }
                ol.timeline {
                    @for (on, what, done) in &entries {
                        li data-done=(done) { time dir="ltr" { (on) } " · " (what) }
                    }
                }
            }
        }
    }
}

/// `GET /diaspora/letters/{template}[?skill=…]`: the template filled for every member living
/// abroad (a mail merge), one A4 page each, and the members skipped with the fields their
/// letter would lack.
pub async fn letters(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Path(template): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let merged = state
        .papers
        .merge(
            page.actor(),
            page.session.account.display_name.clone(),
            template,
            q.get("skill").cloned(),
        )
        .await
        .map_err(|e| match e {
            crate::papers::PapersError::UnknownTemplate(_) => {
                PageError::NotFound("letter-unknown-template")
            }
            crate::papers::PapersError::Dossiers(d) => d.into(),
            e => PageError::Failed(e.to_string()),
        })?;
    let t = &merged.template;
    let rtl = t.language.is_rtl();
    let body = html! {
        div.no-print {
            p { a href="/diaspora" { (tr.t("diaspora-title")) } }
            p #merge-count role="status" { (tr.t1("diaspora-letters-count", "n", &merged.letters.len().to_string())) }
            @if !merged.skipped.is_empty() {
                section.card #merge-skipped {
                    h2 { (tr.t("diaspora-letters-skipped")) }
                    ul { @for (name, missing) in &merged.skipped { li { (name) " — " span dir="ltr" { (missing.join(", ")) } } } }
                }
            }
        }
        @for (id, text) in &merged.letters {
            article.paper.letter.merged data-member=(id) lang=(t.language.code()) dir=(if rtl { "rtl" } else { "ltr" }) {
                @for para in text.split("\n\n") {
                    p { @for (i, line) in para.lines().enumerate() { @if i > 0 { br; } (line) } }
                }
            }
        }
    };
    Ok(layout(tr, &t.title, Some(&page.session), "/diaspora", body).into_response())
}

/// `GET /diaspora/letters?template=…`: the register page's form, sent on to the letters.
pub async fn letters_chosen(
    _: Page<DossierWork>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let template = q.get("template").cloned().unwrap_or_default();
    if template.is_empty()
        || !template
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(PageError::NotFound("letter-unknown-template"));
    }
    let skill = q
        .get("skill")
        .map(|s| crate::web::auth::urlencode(s))
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/diaspora/letters/{template}?skill={skill}")).into_response())
}
