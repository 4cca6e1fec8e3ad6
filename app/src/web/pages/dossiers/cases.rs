//! A case's page: the need, the procedure followed (at the version the case began with), its
//! steps to tick, its documents to record as received (with a scan from the dossier), its
//! referrals and their answers, the follow-up date, notes and closing. And the list of what is
//! due today (follow-ups reached, referrals past their body's delay).

use super::audit_text;
use super::today;
use crate::dossiers::DossierStoreError;
use crate::dossiers::cases::{self as store, CasePage, ConsentOverride, FollowedProcedure};
use crate::web::AppState;
use crate::web::pages::extract::{CaseId, CsrfForm, DossierWork, Page};
use crate::web::pages::layout;
use crate::web::pages::refusal::{PageError, explain};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::dossier::case::parse_date;
use baom_domain::dossier::{Body, CaseStatus, DossierError, Outcome, ReferralState};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct OpenForm {
    person: String,
    #[serde(default)]
    need: String,
    #[serde(default)]
    procedure: String,
}

pub async fn open(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CsrfForm(form): CsrfForm<OpenForm>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let Ok(person) = form.person.parse::<i64>() else {
        return Err(PageError::NotFound("dossier-unknown-person"));
    };
    let back = format!("/people/{person}");
    let procedure = match form.procedure.trim() {
        "" => None,
        id => match state.reference.get(id) {
            Some(v) => Some((id.to_owned(), v.version, v.procedure.names.fr.clone())),
            None => {
                let e = DossierError::new(
                    "unknown_procedure",
                    "procedure",
                    format!("{id:?} is not in the reference"),
                );
                return Ok(Redirect::to(&format!(
                    "{back}?problem={}",
                    crate::web::auth::urlencode(&explain(tr, &e))
                ))
                .into_response());
            }
        },
    };
    // A case opened from a procedure may leave the need blank: the procedure names it.
    let need = match (&procedure, form.need.trim()) {
        (Some((_, _, name)), "") => name.clone(),
        (_, need) => need.to_owned(),
    };
    let who = page.actor();
    let day = today(&state);
    let opened = state
        .dossiers
        .run(move |db| {
            let followed = procedure
                .as_ref()
                .map(|(id, version, _)| FollowedProcedure {
                    id,
                    version: *version,
                });
            store::open(db, &who, person, &need, followed, day)
        })
        .await;
    match opened {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(DossierStoreError::Invalid(e)) => Ok(Redirect::to(&format!(
            "{back}?problem={}",
            crate::web::auth::urlencode(&explain(tr, &e))
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CaseId(id): CaseId,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let who = page.actor();
    let reference = state.reference.clone();
    let CasePage {
        view,
        person,
        scans: person_scans,
        history: lines,
        procedure,
    } = state
        .dossiers
        .run(move |db| store::page(db, &who, id, &reference))
        .await?;
    let printed = state.papers.printed(id).await.unwrap_or_default();
    let appointments = appointment_outcomes(&state, id).await;
    let lang = tr.language();
    let open = view.case.status == CaseStatus::Open;
    let here = format!("/cases/{id}");
    let csrf = &session.csrf;
    let problem = query.get("problem").cloned();
    let day = today(&state);
    // A step's or document's id in the history, in the reader's words.
    let name_of = |kind: &str, id: &str| {
        let p = procedure.as_ref()?;
        match kind {
            "step" => p
                .steps
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.names.get(lang).to_owned()),
            "document" => p
                .documents
                .iter()
                .find(|d| d.id == id)
                .map(|d| d.names.get(lang).to_owned()),
            _ => None,
        }
    };
    let body = html! {
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        section.card {
            p { a href={ "/people/" (person.id) } { bdi { (person.display_name()) } } }
            // A case opened from a procedure without other words is named by it, in the reader's language.
            h1 { bdi { (procedure.as_ref().filter(|p| p.names.fr == view.case.need).map(|p| p.names.get(lang).to_owned()).unwrap_or_else(|| view.case.need.clone())) } }
            p {
                (tr.t(if open { "case-open" } else { "case-closed" }))
                @if let Some(o) = &view.case.outcome { " · " (tr.t(&format!("outcome-{o}"))) }
                " · " (tr.t1("case-opened-on", "date", &view.case.opened_on))
            }
            @if let Some(p) = &procedure {
                p.procedure {
                    strong { (p.names.get(lang)) }
                    " · " (tr.t(&format!("body-{}", p.body.as_str())))
                    " · " (tr.t1("procedure-delay", "days", &p.typical_delay_days.to_string()))
                    @if p.to_be_checked { " · " span.flag { (tr.t("procedure-to-check")) } }
                }
                p.hint { (tr.t("procedure-refer-to")) " " (p.refer_to.get(lang)) }
            }
        }
        @if let Some(p) = &procedure {
            section.card.steps #steps {
                h2 { (tr.t("case-steps")) }
                ol {
                    @for step in &p.steps {
                        @let done = view.steps_done.iter().find(|d| d.step_id == step.id);
                        li.done[done.is_some()] {
                            form.action method="post" action=(here) {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="action" value="step";
                                input type="hidden" name="step" value=(step.id);
                                input type="hidden" name="done" value=(if done.is_some() { "no" } else { "yes" });
                                button type="submit" disabled[!open] aria-pressed=(done.is_some()) { (if done.is_some() { "☑" } else { "☐" }) }
                            }
                            " " (step.names.get(lang))
                            @if let Some(d) = done { " · " small { (d.done_on) " · " (d.done_by) } }
                        }
                    }
                }
            }
            section.card.documents #documents {
                h2 { (tr.t("case-documents")) }
                ul {
                    @for doc in &p.documents {
                        @let received = view.documents.iter().find(|d| d.document_id == doc.id);
                        li.done[received.is_some()] {
                            (doc.names.get(lang)) " · "
                            @match received {
                                Some(r) => {
                                    (tr.t1("document-received-on", "date", &r.received_on))
                                    @if let Some(s) = r.scan_id { " · " a href={ "/scans/" (s) } target="_blank" { (tr.t1("scan-number", "n", &s.to_string())) } }
                                }
                                None => { span.flag { (tr.t("document-missing")) } }
                            }
                            @if open {
                                form.inline method="post" action=(here) {
                                    input type="hidden" name="csrf" value=(csrf);
                                    input type="hidden" name="action" value="document";
                                    input type="hidden" name="document" value=(doc.id);
                                    select name="scan" aria-label=(tr.t("document-scan")) {
                                        option value="" { (tr.t("document-no-scan")) }
                                        @for s in &person_scans { option value=(s.id) { (tr.t1("scan-number", "n", &s.id.to_string())) } }
                                    }
                                    button type="submit" { (tr.t("document-record")) }
                                }
                            }
                        }
                    }
                }
                p { a href={ "/people/" (person.id) } { (tr.t("document-add-scans")) } }
            }
        }
        section.card.referrals #referrals {
            h2 { (tr.t("referrals-title")) }
            @if view.referrals.is_empty() { p.empty { (tr.t("referrals-none")) } }
            @for r in &view.referrals {
                div.referral {
                    p {
                        strong { (tr.t(&format!("body-{}", r.body))) }
                        @if !r.body_detail.is_empty() { " · " bdi dir="auto" { (r.body_detail) } }
                        " · " (tr.t(&format!("referral-{}", r.state.as_str())))
                        " · " (tr.t1("referral-sent-on", "date", &r.sent_on))
                        @if r.state.is_pending() { " · " (tr.t1("referral-due-on", "date", &r.due_on)) @if r.due_on.as_str() <= day.to_string().as_str() { " " span.flag { (tr.t("referral-overdue")) } } }
                        @if r.consent_overridden_by.is_some() { " · " span.flag { (tr.t("referral-consent-overridden")) } }
                    }
                    @if !r.note.is_empty() { p.note dir="auto" { (r.note) } }
                    @if r.state.is_pending() {
                        form.inline method="post" action=(here) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="action" value="referral";
                            input type="hidden" name="referral" value=(r.id);
                            select name="state" aria-label=(tr.t("referral-answer")) {
                                @for s in [ReferralState::Accepted, ReferralState::Refused, ReferralState::Done, ReferralState::Withdrawn] {
                                    option value=(s.as_str()) { (tr.t(&format!("referral-{}", s.as_str()))) }
                                }
                            }
                            input.note name="note" dir="auto" placeholder=(tr.t("referral-note")) aria-label=(tr.t("referral-note")) maxlength="4000";
                            button type="submit" { (tr.t("referral-update")) }
                        }
                    }
                }
            }
            @if open {
                form method="post" action=(here) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="refer";
                    // The directory's partners, those handling this procedure first.
                    @let partners = state.directory.current();
                    @let handles = |p: &&baom_domain::directory::Partner| view.case.procedure_id.as_deref().is_some_and(|id| p.handles(id));
                    @if !partners.items.is_empty() {
                        label { (tr.t("admin-referral-partner"))
                            select name="partner" {
                                option value="" { "—" }
                                @for p in partners.items.iter().filter(handles) {
                                    option value=(p.id) { (p.name) " · " (tr.t(&format!("body-{}", p.kind.as_str()))) }
                                }
                                @for p in partners.items.iter().filter(|p| !handles(p)) {
                                    option value=(p.id) { (p.name) " · " (tr.t(&format!("body-{}", p.kind.as_str()))) }
                                }
                            }
                        }
                    }
                    label { (tr.t("referral-body"))
                        select name="body" {
                            @for b in Body::ALL {
                                option value=(b.as_str()) selected[procedure.as_ref().is_some_and(|p| p.body == b)] { (tr.t(&format!("body-{}", b.as_str()))) }
                            }
                        }
                    }
                    label { (tr.t("referral-detail")) input name="detail" dir="auto" maxlength="200"; }
                    @if session.account.role.supervises() {
                        label.check { input type="checkbox" name="override"; " " (tr.t("referral-override")) }
                    }
                    button.primary type="submit" { (tr.t("referral-send")) }
                }
            }
        }
        @if open {
            section.card.follow-up #follow-up {
                h2 { (tr.t("follow-up-title")) }
                form.inline method="post" action=(here) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="follow-up";
                    input type="date" name="on" value=(view.case.follow_up_on.clone().unwrap_or_default()) aria-label=(tr.t("follow-up-title"));
                    button type="submit" { (tr.t("follow-up-set")) }
                }
            }
            section.card.notes #notes {
                h2 { (tr.t("case-notes")) }
                form method="post" action=(here) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="notes";
                    textarea name="notes" dir="auto" rows="5" maxlength="4000" aria-label=(tr.t("case-notes")) { (view.case.notes) }
                    button type="submit" { (tr.t("case-notes-save")) }
                }
            }
            section.card.close {
                h2 { (tr.t("case-close")) }
                form.inline method="post" action=(here) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="close";
                    select name="outcome" aria-label=(tr.t("case-outcome")) { @for o in Outcome::ALL { option value=(o.as_str()) { (tr.t(&format!("outcome-{}", o.as_str()))) } } }
                    button type="submit" { (tr.t("case-close")) }
                }
            }
        } @else if !view.case.notes.is_empty() {
            section.card.notes #notes { h2 { (tr.t("case-notes")) } p dir="auto" { (view.case.notes) } }
        }
        (crate::web::pages::appointments::case_card(tr, &state, csrf, id, open, &appointments))
        (crate::web::pages::papers::case_card(tr, &state, id, &printed))
        section.card.access #history {
            h2 { (tr.t("case-history")) }
            div.scroll {
                table.audit {
                    @for l in lines.iter().filter(|l| !audit_text::is_a_look(&l.action)) {
                        tr { td { (l.at.get(..16).unwrap_or(&l.at).replace('T', " ")) } td { (l.actor) } td { (audit_text::action(tr, &l.action)) } td { (audit_text::details(tr, &l.detail, &name_of)) } }
                    }
                }
            }
        }
    };
    Ok(layout(tr, &view.case.need, Some(session), &here, body).into_response())
}

/// The case's appointments, each with whether its ticket was then marked no-show.
async fn appointment_outcomes(
    state: &AppState,
    case: i64,
) -> Vec<(crate::store::appointments::Appointment, bool)> {
    let mut out = Vec::new();
    for a in state.appointments.of_case(case).await.unwrap_or_default() {
        let no_show = match a.ticket_id {
            Some(t) => state
                .tickets
                .by_id(baom_domain::queue::TicketId(t))
                .await
                .is_ok_and(|t| t.state == baom_domain::queue::TicketState::NoShow),
            None => false,
        };
        out.push((a, no_show));
    }
    out
}

#[derive(Deserialize)]
pub struct CaseAction {
    action: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    scan: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    r#override: String,
    #[serde(default)]
    referral: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    outcome: String,
}

pub async fn act(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CaseId(id): CaseId,
    CsrfForm(form): CsrfForm<CaseAction>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let here = format!("/cases/{id}");
    let who = page.actor();
    let day = today(&state);
    let dossiers = state.dossiers.clone();
    // The procedure the case follows decides which steps and documents it may record, and the
    // delay of a referral to its body.
    let reference = state.reference.clone();
    let invalid = |field: &'static str, why: &str| {
        DossierStoreError::Invalid(DossierError::new("invalid_field", field, why))
    };
    let is_supervisor = page.role().supervises();
    let anchor = match form.action.as_str() {
        "step" => "steps",
        "document" => "documents",
        "refer" | "referral" => "referrals",
        "follow-up" => "follow-up",
        "notes" | "close" => "notes",
        _ => "history",
    };
    let result: Result<(), DossierStoreError> = match form.action.as_str() {
        "step" => {
            let (step, done) = (form.step.clone(), form.done == "yes");
            dossiers
                .run(move |db| store::set_step(db, &who, id, &step, done, &reference, day))
                .await
        }
        "document" => {
            let scan = match form.scan.trim() {
                "" => Ok(None),
                s => s
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| invalid("scan", "a scan's number")),
            };
            match scan {
                Ok(scan) => {
                    let document = form.document.clone();
                    dossiers
                        .run(move |db| {
                            store::record_document(db, &who, id, &document, scan, &reference, day)
                        })
                        .await
                }
                Err(e) => Err(e),
            }
        }
        // A partner of the directory, when one is picked, gives the body and its name.
        "refer" => match state
            .directory
            .pick(&form.partner, &form.body, &form.detail)
        {
            Ok((body, detail)) => {
                let overriding = is_supervisor && !form.r#override.is_empty();
                dossiers
                    .run(move |db| {
                        let consent = if overriding {
                            ConsentOverride::BySupervisor(&who)
                        } else {
                            ConsentOverride::None
                        };
                        store::refer(db, &who, id, body, &detail, &reference, consent, day)
                            .map(|_| ())
                    })
                    .await
            }
            Err(e) => Err(e.into()),
        },
        "referral" => match (
            form.referral.parse::<i64>(),
            ReferralState::parse(&form.state),
        ) {
            (Ok(referral), Some(to)) => {
                let note = form.note.clone();
                dossiers
                    .run(move |db| {
                        store::update_referral(db, &who, id, referral, to, &note, day).map(|_| ())
                    })
                    .await
            }
            _ => Err(invalid("state", "one of the listed answers")),
        },
        "follow-up" => {
            let on = match form.on.trim() {
                "" => Ok(None),
                d => parse_date("follow_up", d)
                    .map(Some)
                    .map_err(DossierStoreError::from),
            };
            match on {
                Ok(on) => {
                    dossiers
                        .run(move |db| store::set_follow_up(db, &who, id, on, day))
                        .await
                }
                Err(e) => Err(e),
            }
        }
        "notes" => {
            let notes = form.notes.clone();
            dossiers
                .run(move |db| store::set_notes(db, &who, id, &notes, day))
                .await
        }
        "close" => match Outcome::parse(&form.outcome) {
            Ok(outcome) => {
                dossiers
                    .run(move |db| store::close(db, &who, id, outcome, day))
                    .await
            }
            Err(e) => Err(e.into()),
        },
        _ => Err(invalid("action", "not an action of this page")),
    };
    match result {
        // Back to the part of the page the form was in, not to its top.
        Ok(()) => Ok(Redirect::to(&format!("{here}#{anchor}")).into_response()),
        Err(DossierStoreError::Invalid(e)) => Ok(Redirect::to(&format!(
            "{here}?problem={}#{anchor}",
            crate::web::auth::urlencode(&explain(tr, &e))
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// What is due today: follow-up dates reached and referrals past their delay.
pub async fn due(
    State(state): State<AppState>,
    page: Page<DossierWork>,
) -> Result<Response, PageError> {
    let who = page.actor();
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let day = today(&state);
    let due = state
        .dossiers
        .run(move |db| store::due(db, &who, day))
        .await?;
    let body = html! {
        h1 { (tr.t("due-title")) }
        @if due.is_empty() { p.empty { (tr.t("due-none")) } }
        table.due {
            @for d in &due {
                tr {
                    td { (d.due_on) }
                    td { a href={ "/people/" (d.person_id) } { bdi { (d.person) } } }
                    td { a href={ "/cases/" (d.case_id) } { bdi { (d.need) } } }
                    td { (tr.t(&format!("due-{}", d.kind))) @if let Some(b) = &d.body { " · " (tr.t(&format!("body-{b}"))) } }
                }
            }
        }
    };
    Ok(layout(tr, &tr.t("due-title"), Some(session), "/due", body).into_response())
}
