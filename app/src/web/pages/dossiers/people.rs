//! Finding, creating, correcting, exporting and erasing a person; their consents, household,
//! visits and scans. A ticket in the address (`?ticket=ID`, from the desk or a scanned QR)
//! carries the visit through: a person created or opened from it gets the visit linked.

use super::{audit_text, today};
use crate::dossiers::people::{
    self as store, ConsentsGiven, Creation, Hit, NewPerson, Query as Search, TicketRef,
};
use crate::dossiers::{DossierStoreError, record};
use crate::i18n::Tr;
use crate::web::AppState;
use crate::web::pages::extract::{CsrfForm, DossierWork, Page, PersonId, ScanId};
use crate::web::pages::layout;
use crate::web::pages::refusal::{PageError, explain};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use baom_domain::dossier::consent::{ConsentMethod, Purpose};
use baom_domain::dossier::person::{PersonInput, SPOKEN_LANGUAGES};
use baom_domain::dossier::search::{SearchText, classify};
use baom_domain::dossier::{DossierError, Profile, Sex};
use baom_domain::names::MatchStrength;
use baom_domain::queue::{Ticket, TicketId};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

/// The ticket named in the address, if it exists.
async fn ticket_of(state: &AppState, query: &HashMap<String, String>) -> Option<Ticket> {
    let id = query.get("ticket")?.parse::<u64>().ok()?;
    state.tickets.by_id(TicketId(id)).await.ok()
}

fn ticket_ref(t: &Ticket) -> TicketRef {
    TicketRef {
        id: t.id.0,
        number: t.number.to_string(),
        day: t.day,
    }
}

fn strength(tr: Tr, s: MatchStrength) -> String {
    match s {
        MatchStrength::Likely => tr.t("match-likely"),
        MatchStrength::Possible => tr.t("match-possible"),
    }
}

/// The people found, each linked to their page with the visit (`ticket`) carried along, so the
/// officer can attach it there.
fn hits_list(tr: Tr, hits: &[Hit], ticket: Option<u64>) -> Markup {
    let suffix = ticket.map(|t| format!("?ticket={t}")).unwrap_or_default();
    html! {
        ul.hits {
            @for h in hits {
                li {
                    a href={ "/people/" (h.id) (suffix) } { bdi { (h.name) } }
                    @if let Some(y) = h.birth_year { " · " (y) }
                    @if let Some(d) = &h.douar { " · " bdi { (d) } }
                    " · " span.strength { (strength(tr, h.strength)) " (" (tr.t(&format!("match-{}", h.reason))) ")" }
                }
            }
        }
    }
}

pub async fn find(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let ticket = ticket_of(&state, &query).await;
    let q = query
        .get("q")
        .map(|q| q.trim().to_owned())
        .unwrap_or_default();
    let who = page.actor();
    // What to look for: a ticket number of today, a phone number, or a name.
    // A visit in the address stays the context of every search made from it; with nothing
    // typed, who came with that ticket is looked for.
    let search = match (&ticket, classify(&q)) {
        (Some(t), SearchText::Empty) => Some(SearchOwned::Ticket(t.id.0)),
        (None, SearchText::Empty) => None,
        (_, SearchText::TicketNumber(number)) => Some(
            match state
                .queue
                .snapshot()
                .tickets()
                .iter()
                .find(|t| t.number == number)
            {
                Some(t) => SearchOwned::Ticket(t.id.0),
                None => SearchOwned::Name(q.clone()),
            },
        ),
        (_, SearchText::Phone(phone)) => Some(SearchOwned::Phone(phone)),
        (_, SearchText::Name(name)) => Some(SearchOwned::Name(name)),
    };
    let hits = match search {
        None => Ok(Vec::new()),
        Some(s) => {
            state
                .dossiers
                .run(move |db| store::search(db, &who, s.as_query(), 20))
                .await
        }
    };
    let (hits, problem) = match hits {
        Ok(h) => (h, None),
        Err(DossierStoreError::Invalid(e)) => (Vec::new(), Some(explain(tr, &e))),
        Err(e) => return Err(e.into()),
    };
    let new_link = match &ticket {
        Some(t) => format!("/people/new?ticket={}", t.id.0),
        None => "/people/new".to_owned(),
    };
    let body = html! {
        h1 { (tr.t("people-title")) }
        @if let Some(t) = &ticket { p.context { (tr.t1("people-for-ticket", "number", &t.number.to_string())) } }
        form.search method="get" action="/people" {
            @if let Some(t) = &ticket { input type="hidden" name="ticket" value=(t.id.0); }
            label { (tr.t("people-search")) input name="q" value=(q) autofocus autocomplete="off"; }
            button.primary type="submit" { (tr.t("people-search-submit")) }
        }
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        @if !q.is_empty() || ticket.is_some() {
            @if hits.is_empty() { p.empty { (tr.t("people-none-found")) } } @else { (hits_list(tr, &hits, ticket.as_ref().map(|t| t.id.0))) }
        }
        p { a.big-button href=(new_link) { (tr.t("people-new")) } }
    };
    Ok(layout(tr, &tr.t("people-title"), Some(session), "/people", body).into_response())
}

/// `Query` borrows; a search crossing to the blocking thread owns its words.
enum SearchOwned {
    Ticket(u64),
    Phone(String),
    Name(String),
}

impl SearchOwned {
    fn as_query(&self) -> Search<'_> {
        match self {
            SearchOwned::Ticket(t) => Search::Ticket(*t),
            SearchOwned::Phone(p) => Search::Phone(p),
            SearchOwned::Name(n) => Search::Name(n),
        }
    }
}

/// The person form's fields, as sent (kept to show them back after a refusal).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    name_ar: String,
    #[serde(default)]
    name_latin: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    douar: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    languages: String,
    /// Consents given now: `on` when ticked.
    #[serde(default)]
    consent_dossier: String,
    #[serde(default)]
    consent_sensitive: String,
    #[serde(default)]
    consent_referral: String,
    #[serde(default)]
    consent_method: String,
    #[serde(default)]
    household_with: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    ticket: String,
    /// Set when the officer saw the likely duplicates and creates anyway.
    #[serde(default)]
    confirmed: String,
    /// A country the list does not name, as its two-letter code (`nationality=other`).
    #[serde(default)]
    nationality_other: String,
    /// The spoken languages' boxes (`spoken_ary=on`…) and whatever else the form carries.
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

/// The countries the nationality list names (people of the communes abroad, and those who
/// come through); any other is typed as its code.
const COUNTRIES: [&str; 20] = [
    "MA", "DZ", "TN", "MR", "SN", "ML", "CI", "GN", "CM", "NG", "CD", "SY", "YE", "SD", "FR", "ES",
    "IT", "BE", "NL", "DE",
];

impl PersonForm {
    fn input(&self) -> PersonInput {
        PersonInput {
            name_ar: self.name_ar.clone(),
            name_latin: self.name_latin.clone(),
            sex: self.sex.clone(),
            birth_date: self.birth_date.clone(),
            nationality: self.nationality(),
            profile: self.profile.clone(),
            douar: self.douar.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            languages: self.languages(),
        }
    }

    /// The nationality as sent: a listed country, or the code typed for another.
    fn nationality(&self) -> String {
        if self.nationality == "other" {
            self.nationality_other.clone()
        } else {
            self.nationality.clone()
        }
    }

    /// The languages ticked, and any typed as codes (`languages=ary fr`, as files send them).
    fn languages(&self) -> String {
        let ticked = SPOKEN_LANGUAGES
            .iter()
            .filter(|code| self.rest.contains_key(&format!("spoken_{code}")))
            .map(|code| (*code).to_owned());
        let typed = self
            .languages
            .split([' ', ','])
            .filter(|w| !w.is_empty())
            .map(str::to_owned);
        let mut all: Vec<String> = Vec::new();
        for code in typed.chain(ticked) {
            if !all.contains(&code) {
                all.push(code);
            }
        }
        all.join(" ")
    }

    fn from_person(p: &store::StoredPerson) -> PersonForm {
        let p = &p.person;
        PersonForm {
            name_ar: p.name_ar.clone().unwrap_or_default(),
            name_latin: p.name_latin.clone().unwrap_or_default(),
            sex: p.sex.as_str().into(),
            birth_date: p.birth_date.map(|b| b.to_string()).unwrap_or_default(),
            nationality: p.nationality.clone().unwrap_or_default(),
            profile: p.profile.as_str().into(),
            douar: p.douar.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            languages: p.languages.join(" "),
            ..PersonForm::default()
        }
    }
}

/// A spoken language's name in the reader's language (its code when none is known).
fn spoken_name(tr: Tr, code: &str) -> String {
    let key = format!("spoken-{code}");
    let name = tr.t(&key);
    if name == key { code.to_owned() } else { name }
}

/// A country's name in the reader's language, with its code ("Sénégal (SN)").
fn country_name(tr: Tr, code: &str) -> String {
    let key = format!("country-{code}");
    let name = tr.t(&key);
    if name == key {
        code.to_owned()
    } else {
        format!("{name} ({code})")
    }
}

/// A required field's mark: a star for the eye, the word for a screen reader.
fn required(tr: Tr) -> Markup {
    html! { " " abbr.required title=(tr.t("required-mark")) { "*" } }
}

fn person_fields(tr: Tr, state: &AppState, f: &PersonForm) -> Markup {
    let spoken = f.languages();
    let spoken: Vec<&str> = spoken.split(' ').collect();
    let listed = COUNTRIES.contains(&f.nationality.to_ascii_uppercase().as_str());
    let other = if f.nationality == "other" {
        f.nationality_other.clone()
    } else if !listed {
        f.nationality.clone()
    } else {
        String::new()
    };
    html! {
        p.hint { (tr.t("required-hint")) }
        fieldset {
            legend { (tr.t("person-names")) (required(tr)) }
            p.hint { (tr.t("person-names-hint")) }
            label { (tr.t("field-name_ar")) input name="name_ar" value=(f.name_ar) dir="rtl" lang="ar" autocomplete="off"; }
            label { (tr.t("field-name_latin")) input name="name_latin" value=(f.name_latin) dir="ltr" autocomplete="off"; }
        }
        label { (tr.t("field-sex")) (required(tr))
            select name="sex" required {
                option value="" { "—" }
                @for s in [Sex::Female, Sex::Male] {
                    option value=(s.as_str()) selected[f.sex == s.as_str()] { (tr.t(&format!("sex-{}", s.as_str()))) }
                }
            }
        }
        label { (tr.t("field-birth_date")) small { " " (tr.t("person-birth-hint")) } input name="birth_date" value=(f.birth_date) inputmode="numeric" dir="ltr" placeholder="1957 / 1957-03 / 1957-03-12"; }
        label { (tr.t("field-profile")) (required(tr))
            select name="profile" required {
                option value="" { "—" }
                @for p in Profile::ALL {
                    option value=(p.as_str()) selected[f.profile == p.as_str()] { (tr.t(&format!("profile-{}", p.as_str()))) }
                }
            }
        }
        label { (tr.t("field-douar"))
            select name="douar" {
                option value="" { "—" }
                @for d in &state.settings().douars {
                    option value=(d.name) selected[f.douar == d.name] { (d.name) }
                }
            }
        }
        label { (tr.t("field-phone")) input name="phone" value=(f.phone) inputmode="tel" dir="ltr" placeholder="06 12 34 56 78"; }
        label { (tr.t("field-address")) textarea name="address" rows="2" maxlength="300" dir="auto" { (f.address) } }
        fieldset.languages {
            legend { (tr.t("field-languages")) }
            div.checks {
                @for code in SPOKEN_LANGUAGES {
                    label.check { input type="checkbox" name={ "spoken_" (code) } checked[spoken.contains(code)]; " " (tr.t(&format!("spoken-{code}"))) }
                }
            }
        }
        fieldset.nationality {
            legend { (tr.t("field-nationality")) small { " " (tr.t("person-sensitive-hint")) } }
            label { (tr.t("field-nationality"))
                select name="nationality" {
                    option value="" selected[f.nationality.is_empty()] { (tr.t("country-none")) }
                    @for c in COUNTRIES {
                        option value=(c) selected[f.nationality.eq_ignore_ascii_case(c)] { (tr.t(&format!("country-{c}"))) }
                    }
                    option value="other" selected[!other.is_empty()] { (tr.t("country-other")) }
                }
            }
            label { (tr.t("country-other")) input name="nationality_other" value=(other) maxlength="2" dir="ltr" placeholder="GH, BF, NE…"; }
        }
    }
}

fn consent_fields(tr: Tr, f: &PersonForm) -> Markup {
    html! {
        fieldset.consent {
            legend { (tr.t("consent-title")) }
            p.hint { (tr.t("consent-explain")) }
            label.check { input type="checkbox" name="consent_dossier" checked[!f.consent_dossier.is_empty()]; " " (tr.t("consent-purpose-dossier")) }
            label.check { input type="checkbox" name="consent_sensitive" checked[!f.consent_sensitive.is_empty()]; " " (tr.t("consent-purpose-sensitive")) }
            label.check { input type="checkbox" name="consent_referral" checked[!f.consent_referral.is_empty()]; " " (tr.t("consent-purpose-referral")) }
            label { (tr.t("consent-method"))
                select name="consent_method" {
                    option value="oral" selected[f.consent_method != "written"] { (tr.t("consent-method-oral")) }
                    option value="written" selected[f.consent_method == "written"] { (tr.t("consent-method-written")) }
                }
            }
        }
    }
}

fn new_page(
    tr: Tr,
    state: &AppState,
    session: &crate::accounts::Session,
    f: &PersonForm,
    problem: Option<String>,
    duplicates: &[Hit],
    status: StatusCode,
) -> Response {
    let body = html! {
        h1 { (tr.t("people-new")) }
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        @if !duplicates.is_empty() {
            section.card.duplicates role="alert" {
                h2 { (tr.t("duplicates-title")) }
                p { (tr.t("duplicates-explain")) }
                (hits_list(tr, duplicates, f.ticket.parse::<u64>().ok()))
            }
        }
        form.card method="post" action="/people" {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="ticket" value=(f.ticket);
            (person_fields(tr, state, f))
            fieldset {
                legend { (tr.t("household-title")) }
                label { (tr.t("household-with")) input name="household_with" value=(f.household_with) inputmode="numeric"; }
                label { (tr.t("field-relation"))
                    select name="relation" {
                        option value="" { "—" }
                        @for r in store::RELATIONS { option value=(r) selected[f.relation == *r] { (tr.t(&format!("relation-{r}"))) } }
                    }
                }
            }
            (consent_fields(tr, f))
            @if !duplicates.is_empty() { input type="hidden" name="confirmed" value="yes"; }
            button.primary type="submit" {
                @if duplicates.is_empty() { (tr.t("people-create")) } @else { (tr.t("duplicates-create-anyway")) }
            }
        }
    };
    (
        status,
        layout(tr, &tr.t("people-new"), Some(session), "/people/new", body),
    )
        .into_response()
}

pub async fn new_form(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DossierWork>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if !state.dossiers.is_open() {
        return Err(PageError::Locked);
    }
    let form = PersonForm {
        ticket: query.get("ticket").cloned().unwrap_or_default(),
        ..PersonForm::default()
    };
    Ok(new_page(
        tr,
        &state,
        &session,
        &form,
        None,
        &[],
        StatusCode::OK,
    ))
}

impl PersonForm {
    /// The consents ticked on the form, all given the same way.
    fn consents(&self) -> ConsentsGiven {
        let method = ConsentMethod::parse(&self.consent_method).unwrap_or(ConsentMethod::Oral);
        let mut consents = ConsentsGiven::default();
        for (ticked, purpose) in [
            (&self.consent_dossier, Purpose::Dossier),
            (&self.consent_sensitive, Purpose::Sensitive),
            (&self.consent_referral, Purpose::Referral),
        ] {
            if !ticked.is_empty() {
                consents.0.push((purpose, method));
            }
        }
        consents
    }

    /// The household member to join, and how, if a number was given.
    fn household_with(&self) -> Result<Option<(i64, String)>, DossierError> {
        match self.household_with.trim() {
            "" => Ok(None),
            n => n
                .parse::<i64>()
                .map(|n| Some((n, self.relation.clone())))
                .map_err(|_| DossierError::new("invalid_field", "household", "a person's number")),
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<Response, PageError> {
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let refused = |problem: String| {
        new_page(
            tr,
            &state,
            session,
            &form,
            Some(problem),
            &[],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let household_with = match form.household_with() {
        Ok(h) => h,
        Err(e) => return Ok(refused(explain(tr, &e))),
    };
    let ticket = match form.ticket.parse::<u64>() {
        Ok(id) => state
            .tickets
            .by_id(TicketId(id))
            .await
            .ok()
            .map(|t| ticket_ref(&t)),
        Err(_) => None,
    };
    // The ticket's context follows to the person's page (its kiosk scans are offered there).
    let context = ticket
        .as_ref()
        .map(|t| format!("?ticket={}", t.id))
        .unwrap_or_default();
    let new = NewPerson {
        input: form.input(),
        consents: form.consents(),
        household_with,
        ticket,
    };
    let who = page.actor();
    let douars = state.dossiers.douars();
    let day = today(&state);
    // Likely duplicates first, unless the officer saw them: nothing is merged silently.
    let confirmed = !form.confirmed.is_empty();
    match state
        .dossiers
        .run(move |db| store::create_unless_duplicate(db, &who, new, &douars, day, confirmed))
        .await
    {
        Ok(Creation::Created(id)) => {
            Ok(Redirect::to(&format!("/people/{id}{context}")).into_response())
        }
        Ok(Creation::LikelyDuplicates(d)) => Ok(new_page(
            tr,
            &state,
            session,
            &form,
            None,
            &d,
            StatusCode::OK,
        )),
        Err(DossierStoreError::Invalid(e)) => Ok(refused(explain(tr, &e))),
        Err(DossierStoreError::NotFound(what)) => {
            Ok(refused(tr.t(crate::web::pages::refusal::unknown_key(what))))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    PersonId(id): PersonId,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let who = page.actor();
    let p = match state
        .dossiers
        .run(move |db| record::read(db, &who, id))
        .await
    {
        Ok(p) => p,
        // A record merged into another: its old number leads to the person it now is.
        Err(DossierStoreError::NotFound("person")) => {
            return match super::merges::kept_of(&state, id).await {
                Some(kept) => Ok(Redirect::to(&format!("/people/{kept}")).into_response()),
                None => Err(PageError::NotFound("dossier-unknown-person")),
            };
        }
        Err(e) => return Err(e.into()),
    };
    let merges = state
        .dossiers
        .run(move |db| crate::dossiers::merge::history(db, id))
        .await?;
    let ticket = ticket_of(&state, &query).await;
    let ticket_scans = match &ticket {
        Some(t) => state.scanner.list(t.id).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let problem = query.get("problem").cloned();
    let day = today(&state);
    let csrf = &session.csrf;
    let here = format!("/people/{id}");
    let person = &p.person.person;
    let body = html! {
        @if let Some(problem) = problem { p.problem role="alert" { (problem) } }
        section.card.person {
            h1 { bdi { (p.person.display_name()) } " " small { "#" (id) } }
            dl.facts {
                dt { (tr.t("field-sex")) } dd { (tr.t(&format!("sex-{}", person.sex.as_str()))) }
                dt { (tr.t("field-birth_date")) } dd { @match person.birth_date { Some(b) => { (b) " (" (tr.t1("person-age", "age", &b.age_on(day).to_string())) ")" } None => { "—" } } }
                dt { (tr.t("field-profile")) } dd { (tr.t(&format!("profile-{}", person.profile.as_str()))) }
                dt { (tr.t("field-douar")) } dd { (person.douar.as_deref().unwrap_or("—")) }
                dt { (tr.t("field-phone")) } dd { bdi dir="ltr" { (person.phone.as_deref().unwrap_or("—")) } }
                dt { (tr.t("field-address")) } dd.address dir="auto" { (person.address.as_deref().unwrap_or("—")) }
                dt { (tr.t("field-languages")) } dd { (person.languages.iter().map(|code| spoken_name(tr, code)).collect::<Vec<_>>().join(", ")) }
                dt { (tr.t("field-nationality")) } dd { (person.nationality.as_deref().map(|c| country_name(tr, c)).unwrap_or_else(|| "—".into())) }
            }
            p.actions {
                a href={ (here) "/edit" } { (tr.t("person-edit")) }
                " · " a href={ (here) "/export" } { (tr.t("person-export")) }
                " · " a href={ (here) "/export.json" } { (tr.t("person-export-json")) }
            }
        }
        @if let Some(t) = &ticket {
            @if !p.visits.iter().any(|v| v.ticket_id == Some(t.id.0 as i64)) {
                form.card method="post" action=(here) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="visit";
                    input type="hidden" name="ticket" value=(t.id.0);
                    button.primary type="submit" { (tr.t1("visit-link", "number", &t.number.to_string())) }
                }
            }
        }
        section.card.cases {
            h2 { (tr.t("cases-title")) }
            @if p.cases.is_empty() { p.empty { (tr.t("cases-none")) } }
            ul {
                @for c in &p.cases {
                    li {
                        @let procedure = c.procedure_id.as_ref().and_then(|pid| state.reference.get(pid));
                        // A case opened from a procedure with no other words is named by it, in the reader's language.
                        @let named_by_procedure = procedure.as_ref().is_some_and(|v| v.procedure.names.fr == c.need);
                        a href={ "/cases/" (c.id) } {
                            bdi { @if named_by_procedure { (procedure.as_ref().map(|v| v.procedure.names.get(tr.language())).unwrap_or_default()) } @else { (c.need) } }
                        }
                        @if let (Some(v), false) = (&procedure, named_by_procedure) {
                            " · " (v.procedure.names.get(tr.language()))
                        }
                        " · " (tr.t(if c.status == baom_domain::dossier::CaseStatus::Open { "case-open" } else { "case-closed" }))
                    }
                }
            }
            form method="post" action="/cases" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="person" value=(id);
                label { (tr.t("field-need")) input name="need" maxlength="200"; }
                label { (tr.t("case-procedure"))
                    select name="procedure" {
                        option value="" { (tr.t("case-no-procedure")) }
                        @for (pid, v) in state.reference.current().iter() {
                            option value=(pid) { (v.procedure.names.get(tr.language())) }
                        }
                    }
                }
                button.primary type="submit" { (tr.t("case-open-new")) }
            }
        }
        section.card.scans {
            h2 { (tr.t("scans-title")) }
            @if p.scans.is_empty() { p.empty { (tr.t("scans-none")) } }
            ul {
                @for s in &p.scans {
                    li { a href={ "/scans/" (s.id) } target="_blank" { (tr.t1("scan-number", "n", &s.id.to_string())) } " · " (s.created_at.get(..10).unwrap_or("")) }
                }
            }
            @if let Some(t) = &ticket {
                @for s in &ticket_scans {
                    form.action method="post" action=(here) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="action" value="scan-from-ticket";
                        input type="hidden" name="ticket" value=(t.id.0);
                        input type="hidden" name="scan" value=(s.id);
                        button type="submit" { (tr.t1("scan-keep-kiosk", "n", &s.id.to_string())) }
                    }
                }
            }
            @if state.scanner.is_configured() {
                form.action method="post" action=(here) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="scan-desk";
                    button type="submit" { (tr.t("scan-now")) }
                }
            }
        }
        section.card.consents {
            h2 { (tr.t("consent-title")) }
            ul {
                @for c in &p.consents {
                    li.expired[!c.holds_on(day)] {
                        (tr.t(&format!("consent-purpose-{}", c.purpose.as_str()))) " · "
                        (tr.t(&format!("consent-method-{}", c.method.as_str()))) " · "
                        (tr.t2("consent-valid", "from", &c.given_on.to_string(), "to", &c.expires_on.to_string()))
                        @if let Some(w) = c.withdrawn_on { " · " (tr.t("consent-withdrawn")) " " (w) }
                        // Withdrawing is apart from giving, in the colour of what cannot be
                        // undone by a click, says what follows, and asks first.
                        @if c.holds_on(day) {
                            form.inline.withdraw method="post" action=(here) data-confirm=(tr.t(&format!("consent-withdraw-what-{}", c.purpose.as_str()))) {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="action" value="consent";
                                input type="hidden" name="purpose" value=(c.purpose.as_str());
                                input type="hidden" name="method" value=(c.method.as_str());
                                button.danger type="submit" name="give" value="no" { (tr.t("consent-withdraw")) }
                                span.hint { (tr.t(&format!("consent-withdraw-what-{}", c.purpose.as_str()))) }
                            }
                        }
                    }
                }
            }
            form.inline method="post" action=(here) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="action" value="consent";
                label { (tr.t("consent-purpose")) select name="purpose" { @for pu in Purpose::ALL { option value=(pu.as_str()) { (tr.t(&format!("consent-purpose-{}", pu.as_str()))) } } } }
                label { (tr.t("consent-method")) select name="method" {
                    option value="oral" { (tr.t("consent-method-oral")) }
                    option value="written" { (tr.t("consent-method-written")) }
                } }
                button.primary type="submit" name="give" value="yes" { (tr.t("consent-record")) }
            }
        }
        (super::merges::section(tr, csrf, id, &merges, session.account.role.supervises()))
        section.card.household {
            h2 { (tr.t("household-title")) }
            ul {
                @for (mid, name, relation) in &p.household {
                    li { a href={ "/people/" (mid) } { bdi { (name) } } @if let Some(r) = relation { " · " (tr.t(&format!("relation-{r}"))) } }
                }
            }
            form.inline method="post" action=(here) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="action" value="household";
                label { (tr.t("household-with")) input name="member" inputmode="numeric" required; }
                select name="relation" { @for r in store::RELATIONS { option value=(r) { (tr.t(&format!("relation-{r}"))) } } }
                button type="submit" { (tr.t("household-join")) }
            }
        }
        section.card.visits {
            h2 { (tr.t("visits-title")) }
            ul { @for v in &p.visits { li { (v.day) " · " (v.ticket_number.as_deref().unwrap_or("")) " · " (v.officer) } } }
        }
        section.card.access {
            h2 { (tr.t("access-title")) }
            table {
                @for l in &p.access {
                    tr { td { (l.at.get(..16).unwrap_or(&l.at).replace('T', " ")) } td { (l.actor) } td { (audit_text::action(tr, &l.action)) } }
                }
            }
        }
        @if session.account.role.supervises() {
            section.card.erase {
                h2 { (tr.t("erase-title")) }
                p { (tr.t("erase-explain")) }
                form method="post" action=(here) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="erase";
                    label.check { input type="checkbox" name="confirm" required; " " (tr.t("erase-confirm")) }
                    button.danger type="submit" { (tr.t("erase-submit")) }
                }
            }
        }
    };
    Ok(layout(tr, &p.person.display_name(), Some(session), &here, body).into_response())
}

/// An audit action in the reader's language.
#[derive(Deserialize)]
pub struct PersonAction {
    action: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    give: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    scan: String,
    #[serde(default)]
    confirm: String,
}

pub async fn act(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    PersonId(id): PersonId,
    CsrfForm(form): CsrfForm<PersonAction>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let who = page.actor();
    let day = today(&state);
    let here = format!("/people/{id}");
    let invalid = |field: &'static str| {
        DossierStoreError::Invalid(DossierError::new(
            "invalid_field",
            field,
            "not one of the choices",
        ))
    };
    let result: Result<String, DossierStoreError> = match form.action.as_str() {
        "consent" => match (
            Purpose::parse(&form.purpose),
            ConsentMethod::parse(&form.method),
        ) {
            (Some(purpose), Some(method)) => {
                let give = form.give != "no";
                state
                    .dossiers
                    .run(move |db| {
                        if give {
                            store::record_consent(db, &who, id, purpose, method, day)
                        } else {
                            store::withdraw_consent(db, &who, id, purpose, day)
                        }
                    })
                    .await
                    .map(|()| here.clone())
            }
            _ => Err(invalid("consent")),
        },
        "household" => match form.member.trim().parse::<i64>() {
            Ok(member) => {
                let relation = form.relation.clone();
                state
                    .dossiers
                    .run(move |db| store::set_household(db, &who, id, member, &relation))
                    .await
                    .map(|()| here.clone())
            }
            Err(_) => Err(invalid("household")),
        },
        "visit" => match form.ticket.parse::<u64>() {
            Ok(t) => match state.tickets.by_id(TicketId(t)).await {
                Ok(t) => {
                    let r = ticket_ref(&t);
                    state
                        .dossiers
                        .run(move |db| store::link_visit(db, &who, id, &r))
                        .await
                        .map(|()| here.clone())
                }
                Err(_) => Err(DossierStoreError::NotFound("ticket")),
            },
            Err(_) => Err(invalid("ticket")),
        },
        "scan-from-ticket" => match (form.ticket.parse::<u64>(), form.scan.parse::<u32>()) {
            (Ok(t), Ok(n)) => {
                match state
                    .scanner
                    .keep_in_dossier(&state.dossiers, who, id, TicketId(t), n)
                    .await
                {
                    Ok(_) => Ok(format!("{here}?ticket={t}")),
                    Err(crate::scanner::ScanError::Dossiers(e)) => Err(e),
                    Err(_) => Err(DossierStoreError::NotFound("scan")),
                }
            }
            _ => Err(invalid("scan")),
        },
        "scan-desk" => match state
            .scanner
            .scan_into_dossier(&state.dossiers, who, id)
            .await
        {
            Ok(_) => Ok(here.clone()),
            Err(crate::scanner::ScanError::Dossiers(e)) => Err(e),
            Err(e) => {
                return Ok(Redirect::to(&format!(
                    "{here}?problem={}",
                    crate::web::auth::urlencode(&e.to_string())
                ))
                .into_response());
            }
        },
        "erase" => {
            if !page.role().supervises() {
                return Err(PageError::Forbidden);
            }
            if form.confirm.is_empty() {
                Err(invalid("confirm"))
            } else {
                state
                    .dossiers
                    .run(move |db| record::erase(db, &who, id))
                    .await?;
                tracing::info!(person = id, "a person was erased on request");
                return Ok(Redirect::to("/people?erased=1").into_response());
            }
        }
        _ => Err(invalid("action")),
    };
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(DossierStoreError::Invalid(e)) => Ok(Redirect::to(&format!(
            "{here}?problem={}",
            crate::web::auth::urlencode(&explain(tr, &e))
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

fn edit_page(
    tr: Tr,
    state: &AppState,
    session: &crate::accounts::Session,
    id: i64,
    f: &PersonForm,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let here = format!("/people/{id}/edit");
    let body = html! {
        h1 { (tr.t("person-edit")) }
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        form.card method="post" action=(here) {
            input type="hidden" name="csrf" value=(session.csrf);
            (person_fields(tr, state, f))
            button.primary type="submit" { (tr.t("person-save")) }
        }
        p { a href={ "/people/" (id) } { (tr.t("error-back")) } }
    };
    (
        status,
        layout(tr, &tr.t("person-edit"), Some(session), &here, body),
    )
        .into_response()
}

pub async fn edit_form(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    PersonId(id): PersonId,
) -> Result<Response, PageError> {
    let who = page.actor();
    let p = state
        .dossiers
        .run(move |db| store::read(db, &who, id))
        .await?;
    Ok(edit_page(
        page.tr,
        &state,
        &page.session,
        id,
        &PersonForm::from_person(&p),
        None,
        StatusCode::OK,
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    PersonId(id): PersonId,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<Response, PageError> {
    let who = page.actor();
    let day = today(&state);
    let input = form.input();
    let douars = state.dossiers.douars();
    match state
        .dossiers
        .run(move |db| store::update(db, &who, id, input, &douars, day))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(DossierStoreError::Invalid(e)) => Ok(edit_page(
            page.tr,
            &state,
            &page.session,
            id,
            &form,
            Some(explain(page.tr, &e)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn export_json(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    PersonId(id): PersonId,
) -> Result<Response, PageError> {
    let who = page.actor();
    let export = state
        .dossiers
        .run(move |db| record::export(db, &who, id))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"person-{id}.json\""),
            ),
        ],
        serde_json::to_string_pretty(&export).unwrap_or_default(),
    )
        .into_response())
}

/// The printable page of everything kept about a person (their right of access).
pub async fn export_page(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    PersonId(id): PersonId,
) -> Result<Response, PageError> {
    let who = page.actor();
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let e = state
        .dossiers
        .run(move |db| record::export(db, &who, id))
        .await?;
    let p = &e.person.person;
    let body = html! {
        article.printable {
            h1 { (tr.t("export-title")) }
            p { (state.settings().commune.name_latin) " · " bdi { (state.settings().commune.name_ar) } " · " (e.exported_at.get(..10).unwrap_or("")) }
            h2 { bdi { (e.person.display_name()) } }
            dl.facts {
                dt { (tr.t("field-sex")) } dd { (tr.t(&format!("sex-{}", p.sex.as_str()))) }
                dt { (tr.t("field-birth_date")) } dd { (p.birth_date.map(|b| b.to_string()).unwrap_or_default()) }
                dt { (tr.t("field-profile")) } dd { (tr.t(&format!("profile-{}", p.profile.as_str()))) }
                dt { (tr.t("field-douar")) } dd { (p.douar.clone().unwrap_or_default()) }
                dt { (tr.t("field-phone")) } dd { bdi dir="ltr" { (p.phone.clone().unwrap_or_default()) } }
                dt { (tr.t("field-address")) } dd dir="auto" { (p.address.clone().unwrap_or_default()) }
                dt { (tr.t("field-nationality")) } dd { (p.nationality.clone().unwrap_or_default()) }
            }
            h3 { (tr.t("consent-title")) }
            ul { @for c in &e.consents { li { (tr.t(&format!("consent-purpose-{}", c.purpose.as_str()))) " · " (tr.t2("consent-valid", "from", &c.given_on.to_string(), "to", &c.expires_on.to_string())) } } }
            h3 { (tr.t("cases-title")) }
            @for c in &e.cases {
                section {
                    h4 { bdi { (c.case.need) } " · " (c.case.opened_on) }
                    @if !c.case.notes.is_empty() { p { (c.case.notes) } }
                    ul { @for r in &c.referrals { li { (tr.t(&format!("body-{}", r.body))) " · " (tr.t(&format!("referral-{}", r.state.as_str()))) " · " (r.sent_on) } } }
                }
            }
            h3 { (tr.t("visits-title")) }
            ul { @for v in &e.visits { li { (v.day) " · " (v.ticket_number.clone().unwrap_or_default()) } } }
            h3 { (tr.t("access-title")) }
            table { @for l in &e.audit { tr { td { (l.at.get(..16).unwrap_or(&l.at).replace('T', " ")) } td { (l.actor) } td { (audit_text::action(tr, &l.action)) } } } }
            p.hint { (tr.t("export-rights")) }
        }
    };
    Ok(layout(
        tr,
        &tr.t("export-title"),
        Some(session),
        &format!("/people/{id}/export"),
        body,
    )
    .into_response())
}

/// A scan's image, unsealed for the officer (and the read logged).
pub async fn scan_image(
    State(state): State<AppState>,
    page: Page<DossierWork>,
    ScanId(id): ScanId,
) -> Result<Response, PageError> {
    let who = page.actor();
    let vault = state.staff.vault.clone();
    let png = state
        .dossiers
        .run(move |db| crate::dossiers::scans::open(db, &who, id, &vault))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        png,
    )
        .into_response())
}
