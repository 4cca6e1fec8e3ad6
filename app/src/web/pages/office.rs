//! The office's settings on the LAN: services (names in every language, letter, documents,
//! procedures, opening hours, target wait, the desks that serve them) and desks, for
//! supervisors and technicians; douars and their households, for supervisors (their check
//! reads the dossiers); and the office's log of changes. Each change is `crate::office`'s: the
//! settings file's rules, refused whole if anything is wrong, in force at once.

use super::extract::{CsrfForm, Devices, Fields, Page, Supervision};
use super::layout;
use super::refusal::PageError;
use crate::i18n::Tr;
use crate::office::{Edit, OfficeChangeError};
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use baom_config::{DeskEntry, Douar, Hours, ServiceEntry, WEEKDAYS, parse_rules, rules_text};
use baom_domain::catalogue::{CallOrder, Document, Letter, Names};
use baom_domain::language::Language;
use baom_domain::queue::CatalogueChangeError;
use maud::{Markup, html};

/// A refused change as a sentence in the reader's language (`None`: not the reader's doing).
fn explain(tr: Tr, e: &OfficeChangeError) -> Option<String> {
    Some(match e {
        OfficeChangeError::Invalid(o) => {
            let key = format!("admin-office-error-{}", o.code);
            let sentence = tr.t(&key);
            let sentence = if sentence == key {
                o.code.to_owned()
            } else {
                sentence
            };
            format!("{sentence} ({}) · {}", o.field, o.message)
        }
        OfficeChangeError::InUse(CatalogueChangeError::ServiceInUse { letter, tickets }) => tr.t2(
            "admin-office-error-service_in_use",
            "letter",
            &letter.to_string(),
            "n",
            &tickets.to_string(),
        ),
        OfficeChangeError::InUse(CatalogueChangeError::DeskInUse { desk, ticket }) => tr.t2(
            "admin-office-error-desk_in_use",
            "desk",
            &desk.to_string(),
            "ticket",
            &ticket.to_string(),
        ),
        OfficeChangeError::InUse(CatalogueChangeError::TimeZone) => {
            tr.t("admin-office-error-time_zone")
        }
        OfficeChangeError::DouarInUse { douar, people } => tr.t2(
            "admin-office-error-douar_in_use",
            "douar",
            douar,
            "n",
            &people.to_string(),
        ),
        OfficeChangeError::Unknown(what) => tr.t1("admin-office-error-unknown", "what", what),
        _ => return None,
    })
}

fn into_page_error(e: OfficeChangeError) -> PageError {
    match e {
        OfficeChangeError::Dossiers(d) => d.into(),
        other => PageError::Failed(other.to_string()),
    }
}

fn hours_text(tr: Tr, h: &Hours) -> String {
    let days: Vec<String> = h
        .days
        .iter()
        .map(|d| tr.t(&format!("admin-day-{d}")))
        .collect();
    format!("{} · {}–{}", days.join(" "), h.open, h.close)
}

/// What the overview's add forms hold after a refusal.
#[derive(Default)]
struct Typed {
    desk: Option<DeskEntry>,
    douar: Option<Douar>,
}

async fn overview(
    state: &AppState,
    session: &crate::accounts::Session,
    tr: Tr,
    problem: Option<String>,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, PageError> {
    let settings = state.settings();
    let office = settings.office();
    let lang = tr.language();
    let supervisor = session.account.role.supervises();
    let history = state.office.history(20).await.map_err(into_page_error)?;
    let letters: Vec<Letter> = office.services.iter().map(|s| s.letter).collect();
    let desk_form = |action: &str, d: &DeskEntry, new: bool| {
        html! {
            form.inline.desk method="post" action="/office/desks" {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="action" value=(action);
                @if new {
                    label { (tr.t("admin-office-desk-number")) input name="number" value=(if d.number == 0 { String::new() } else { d.number.to_string() }) inputmode="numeric" size="3" dir="ltr" required; }
                } @else {
                    input type="hidden" name="was" value=(d.number);
                    input type="hidden" name="number" value=(d.number);
                    strong { (tr.t1("desk-number", "n", &d.number.to_string())) }
                }
                label { (tr.t("admin-office-desk-name")) input name="name" value=(d.name) maxlength="60"; }
                span.services {
                    @for l in &letters {
                        label.check { input type="checkbox" name="service" value=(l) checked[d.services.contains(l)]; " " (l) }
                    }
                }
                label { (tr.t("admin-office-desk-order"))
                    select name="order" {
                        option value="longest-wait" selected[d.order == CallOrder::LongestWait] { (tr.t("admin-office-desk-order-longest-wait")) }
                        option value="listed" selected[d.order == CallOrder::Listed] { (tr.t("admin-office-desk-order-listed")) }
                    }
                }
                label { (tr.t("admin-office-desk-preference")) input name="preference" value=(d.services.iter().map(|l| l.to_string()).collect::<String>()) size="6" dir="ltr"; }
                label { (tr.t("admin-office-desk-rules")) input name="rules" value=(rules_text(&d.rules)) placeholder="B>30" size="12" dir="ltr"; }
                button type="submit" { (if new { tr.t("admin-add") } else { tr.t("admin-save") }) }
            }
        }
    };
    let blank_desk = DeskEntry {
        number: 0,
        name: String::new(),
        services: Vec::new(),
        order: CallOrder::LongestWait,
        rules: Vec::new(),
    };
    let blank_douar = Douar {
        name: String::new(),
        households: 0,
    };
    let body = html! {
        h1 { (tr.t("admin-office-title")) }
        p { (tr.t("admin-office-explain")) }
        @if let Some(p) = &state.office.problem { p.problem role="alert" { (tr.t("admin-office-stored-refused")) " " (p) } }
        @if let Some(p) = &problem { p.problem role="alert" #office-problem { (p) } }
        section.card #services {
            h2 { (tr.t("admin-office-services")) }
            table {
                thead { tr { th { (tr.t("admin-office-letter")) } th { (tr.t("admin-office-service-name")) } th { (tr.t("admin-office-hours")) } th { (tr.t("admin-office-target-wait")) } th { (tr.t("admin-office-desks")) } } }
                tbody {
                    @for s in &office.services {
                        tr data-letter=(s.letter) {
                            td { a href={ "/office/services/" (s.letter) } { strong { (s.letter) } } }
                            td { a href={ "/office/services/" (s.letter) } { (s.names.get(lang)) } }
                            td { (hours_text(tr, &s.hours)) }
                            td { @if let Some(m) = s.target_wait_minutes { (tr.t1("desk-wait-min", "m", &m.to_string())) } @else { "—" } }
                            td { (office.desks.iter().filter(|d| d.services.contains(&s.letter)).map(|d| d.number.to_string()).collect::<Vec<_>>().join(", ")) }
                        }
                    }
                }
            }
            p { a.button href="/office/services/new" { (tr.t("admin-office-service-new")) } }
        }
        section.card #desks {
            h2 { (tr.t("admin-office-desks")) }
            @for d in &office.desks {
                div.desk-row data-desk=(d.number) {
                    (desk_form("save", d, false))
                    form.inline method="post" action="/office/desks" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="action" value="remove";
                        input type="hidden" name="was" value=(d.number);
                        button.danger type="submit" { (tr.t("admin-remove")) }
                    }
                }
            }
            h3 { (tr.t("admin-office-desk-new")) }
            (desk_form("add", typed.desk.as_ref().unwrap_or(&blank_desk), true))
        }
        @if supervisor {
            section.card #douars {
                h2 { (tr.t("admin-office-douars")) }
                p.hint { (tr.t("admin-office-douars-explain")) }
                @for d in &office.douars {
                    div.douar-row data-douar=(d.name) {
                        form.inline method="post" action="/office/douars" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            input type="hidden" name="action" value="save";
                            input type="hidden" name="was" value=(d.name);
                            label { (tr.t("field-douar")) input name="name" value=(d.name) maxlength="80"; }
                            label { (tr.t("census-households")) input name="households" value=(d.households) inputmode="numeric" size="6" dir="ltr"; }
                            button type="submit" { (tr.t("admin-save")) }
                        }
                        form.inline method="post" action="/office/douars" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            input type="hidden" name="action" value="remove";
                            input type="hidden" name="was" value=(d.name);
                            button.danger type="submit" { (tr.t("admin-remove")) }
                        }
                    }
                }
                @let d = typed.douar.as_ref().unwrap_or(&blank_douar);
                form.inline #douar-add method="post" action="/office/douars" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="action" value="add";
                    label { (tr.t("field-douar")) input name="name" value=(d.name) maxlength="80" required; }
                    label { (tr.t("census-households")) input name="households" value=(if d.households == 0 { String::new() } else { d.households.to_string() }) inputmode="numeric" size="6" dir="ltr"; }
                    button type="submit" { (tr.t("admin-add")) }
                }
            }
        }
        section.card #office-log {
            h2 { (tr.t("admin-office-log")) }
            (log_table(tr, &history))
        }
    };
    Ok((
        status,
        layout(
            tr,
            &tr.t("admin-office-title"),
            Some(session),
            "/office",
            body,
        ),
    )
        .into_response())
}

/// The office's log: who changed what, when.
pub(super) fn log_table(tr: Tr, lines: &[crate::office::Logged]) -> Markup {
    html! {
        table.log {
            thead { tr { th { (tr.t("audit-when")) } th { (tr.t("audit-who")) } th { (tr.t("audit-what")) } } }
            tbody {
                @for l in lines {
                    @let key = format!("admin-log-{}", l.action.replace('.', "-"));
                    @let what = tr.t(&key);
                    tr data-action=(l.action) {
                        td { (l.at.get(..16).unwrap_or(&l.at).replace('T', " ")) }
                        td dir="ltr" { (l.actor) }
                        td { (if what == key { l.action.clone() } else { what }) " " bdi { (l.subject) } }
                    }
                }
            }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page<Devices>,
) -> Result<Response, PageError> {
    overview(
        &state,
        &page.session,
        page.tr,
        None,
        Typed::default(),
        StatusCode::OK,
    )
    .await
}

/// The service form's values as typed.
#[derive(Clone)]
struct ServiceDraft {
    letter: String,
    names: [String; 4],
    /// `[id, ar, zgh, fr, en]` per row.
    documents: Vec<[String; 5]>,
    procedures: Vec<String>,
    days: Vec<String>,
    open: String,
    close: String,
    target_wait: String,
    desks: Vec<u16>,
}

impl ServiceDraft {
    fn of(s: &ServiceEntry, desks: &[DeskEntry]) -> ServiceDraft {
        ServiceDraft {
            letter: s.letter.to_string(),
            names: Language::ALL.map(|l| s.names.get(l).to_owned()),
            documents: s
                .documents
                .iter()
                .map(|d| {
                    [
                        d.id.clone(),
                        d.names.ar.clone(),
                        d.names.zgh.clone(),
                        d.names.fr.clone(),
                        d.names.en.clone(),
                    ]
                })
                .collect(),
            procedures: s.procedures.clone(),
            days: s.hours.days.clone(),
            open: s.hours.open.clone(),
            close: s.hours.close.clone(),
            target_wait: s
                .target_wait_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            desks: desks
                .iter()
                .filter(|d| d.services.contains(&s.letter))
                .map(|d| d.number)
                .collect(),
        }
    }

    fn new(desks: &[DeskEntry]) -> ServiceDraft {
        ServiceDraft {
            letter: String::new(),
            names: Default::default(),
            documents: Vec::new(),
            procedures: Vec::new(),
            days: WEEKDAYS[..5].iter().map(|d| (*d).to_owned()).collect(),
            open: "08:30".into(),
            close: "16:30".into(),
            target_wait: String::new(),
            desks: desks.iter().map(|d| d.number).collect(),
        }
    }

    fn from_form(f: &Fields) -> ServiceDraft {
        let column = |c: &str| f.all(&format!("doc_{c}"));
        let ids = column("id");
        let cols = [column("ar"), column("zgh"), column("fr"), column("en")];
        let documents = (0..ids.len())
            .map(|i| {
                let cell = |c: &Vec<&str>| c.get(i).copied().unwrap_or("").trim().to_owned();
                [
                    ids[i].trim().to_owned(),
                    cell(&cols[0]),
                    cell(&cols[1]),
                    cell(&cols[2]),
                    cell(&cols[3]),
                ]
            })
            .filter(|row| row.iter().any(|c| !c.is_empty()))
            .collect();
        ServiceDraft {
            letter: f.get("letter").trim().to_owned(),
            names: Language::ALL.map(|l| f.get(&format!("names_{}", l.code())).trim().to_owned()),
            documents,
            procedures: f.all("procedure").into_iter().map(str::to_owned).collect(),
            days: f.all("day").into_iter().map(str::to_owned).collect(),
            open: f.get("open").trim().to_owned(),
            close: f.get("close").trim().to_owned(),
            target_wait: f.get("target_wait").trim().to_owned(),
            desks: f
                .all("desk")
                .into_iter()
                .filter_map(|d| d.parse().ok())
                .collect(),
        }
    }

    /// The entry the form describes; the letter's and the wait's shapes are checked here, the
    /// rest by the settings' rules.
    fn entry(&self, tr: Tr) -> Result<ServiceEntry, String> {
        let letter = self
            .letter
            .parse::<Letter>()
            .map_err(|e| format!("{} · {e}", tr.t("admin-office-error-letter")))?;
        let target_wait_minutes = match self.target_wait.as_str() {
            "" => None,
            t => Some(
                t.parse::<u16>()
                    .map_err(|_| format!("{} · {t:?}", tr.t("admin-office-error-target_wait")))?,
            ),
        };
        let names = |t: &[String]| Names {
            ar: t[0].clone(),
            zgh: t[1].clone(),
            fr: t[2].clone(),
            en: t[3].clone(),
        };
        Ok(ServiceEntry {
            letter,
            names: names(&self.names),
            documents: self
                .documents
                .iter()
                .map(|r| Document {
                    id: r[0].clone(),
                    names: names(&r[1..]),
                })
                .collect(),
            procedures: self.procedures.clone(),
            hours: Hours {
                days: self.days.clone(),
                open: self.open.clone(),
                close: self.close.clone(),
            },
            target_wait_minutes,
        })
    }
}

fn service_page(
    state: &AppState,
    page: &Page<Devices>,
    was: Option<&str>,
    d: &ServiceDraft,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = page.tr;
    let session = &page.session;
    let settings = state.settings();
    let desks = &settings.office().desks;
    let lang = tr.language();
    let procedures = state.reference.current();
    let spare = [const { String::new() }; 5];
    let action = match was {
        Some(l) => format!("/office/services/{l}"),
        None => "/office/services/new".to_owned(),
    };
    let title = match was {
        Some(l) => tr.t1("admin-office-service-edit", "letter", l),
        None => tr.t("admin-office-service-new"),
    };
    let body = html! {
        h1 { (title) }
        @if let Some(p) = &problem { p.problem role="alert" #office-problem { (p) } }
        form.card.service method="post" action=(action) {
            input type="hidden" name="csrf" value=(session.csrf);
            input type="hidden" name="action" value="save";
            label { (tr.t("admin-office-letter")) input name="letter" value=(d.letter) size="2" maxlength="1" dir="ltr" required pattern="[A-Z]"; }
            fieldset {
                legend { (tr.t("admin-office-service-name")) }
                @for (i, l) in Language::ALL.iter().enumerate() {
                    label lang=(l.code()) dir=(if l.is_rtl() { "rtl" } else { "ltr" }) { (crate::i18n::text(*l, "language-name", &[])) input name={ "names_" (l.code()) } value=(d.names[i]) maxlength="80"; }
                }
            }
            fieldset {
                legend { (tr.t("admin-office-hours")) }
                @for day in WEEKDAYS {
                    label.check { input type="checkbox" name="day" value=(day) checked[d.days.iter().any(|x| x == day)]; " " (tr.t(&format!("admin-day-{day}"))) }
                }
                label { (tr.t("admin-office-open")) input name="open" value=(d.open) dir="ltr" size="5" placeholder="08:30"; }
                label { (tr.t("admin-office-close")) input name="close" value=(d.close) dir="ltr" size="5" placeholder="16:30"; }
            }
            label { (tr.t("admin-office-target-wait")) input name="target_wait" value=(d.target_wait) inputmode="numeric" size="4" dir="ltr"; }
            fieldset {
                legend { (tr.t("admin-office-desks")) }
                @for desk in desks {
                    label.check { input type="checkbox" name="desk" value=(desk.number) checked[d.desks.contains(&desk.number)]; " " (tr.t1("desk-number", "n", &desk.number.to_string())) }
                }
            }
            fieldset.rows {
                legend { (tr.t("admin-reference-documents")) }
                p.hint { (tr.t("admin-rows-hint")) }
                table.rows {
                    thead { tr { th { (tr.t("admin-id")) } @for l in Language::ALL { th lang=(l.code()) { (crate::i18n::text(l, "language-name", &[])) } } } }
                    tbody {
                        @for row in d.documents.iter().chain(std::iter::repeat_n(&spare, 2)) {
                            tr {
                                td { input name="doc_id" value=(row[0]) dir="ltr" size="12" aria-label=(tr.t("admin-id")); }
                                @for (i, l) in Language::ALL.iter().enumerate() {
                                    td { input name={ "doc_" (l.code()) } value=(row[i + 1]) lang=(l.code()) dir=(if l.is_rtl() { "rtl" } else { "ltr" }) aria-label=(crate::i18n::text(*l, "language-name", &[])); }
                                }
                            }
                        }
                    }
                }
            }
            fieldset {
                legend { (tr.t("admin-office-procedures")) }
                @for (id, v) in procedures.iter() {
                    label.check { input type="checkbox" name="procedure" value=(id) checked[d.procedures.contains(id)]; " " (v.procedure.names.get(lang)) }
                }
            }
            button.primary type="submit" { (tr.t("admin-save")) }
        }
        @if let Some(l) = was {
            form.card method="post" action=(action) {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="action" value="remove";
                p.hint { (tr.t1("admin-office-service-remove-explain", "letter", l)) }
                button.danger type="submit" { (tr.t("admin-office-service-remove")) }
            }
        }
    };
    (status, layout(tr, &title, Some(session), &action, body)).into_response()
}

pub async fn new_service(State(state): State<AppState>, page: Page<Devices>) -> Response {
    let draft = ServiceDraft::new(&state.settings().office().desks);
    service_page(&state, &page, None, &draft, None, StatusCode::OK)
}

fn letter_in_path(state: &AppState, raw: &str) -> Result<(Letter, ServiceDraft), PageError> {
    let settings = state.settings();
    let office = settings.office();
    raw.parse::<Letter>()
        .ok()
        .and_then(|l| office.services.iter().find(|s| s.letter == l))
        .map(|s| (s.letter, ServiceDraft::of(s, &office.desks)))
        .ok_or(PageError::NotFound("error-not-found"))
}

pub async fn service(
    State(state): State<AppState>,
    page: Page<Devices>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let (letter, draft) = letter_in_path(&state, &raw)?;
    Ok(service_page(
        &state,
        &page,
        Some(&letter.to_string()),
        &draft,
        None,
        StatusCode::OK,
    ))
}

async fn save_service(
    state: &AppState,
    page: &Page<Devices>,
    was: Option<Letter>,
    fields: &Fields,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let was_text = was.map(|l| l.to_string());
    let draft = ServiceDraft::from_form(fields);
    let refused = |problem: String| {
        Ok(service_page(
            state,
            page,
            was_text.as_deref(),
            &draft,
            Some(problem),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    };
    let edit = if fields.get("action") == "remove" {
        match was {
            Some(l) => Edit::RemoveService(l),
            None => return Err(PageError::BadForm),
        }
    } else {
        match draft.entry(tr) {
            Ok(entry) => Edit::Service {
                was,
                entry,
                desks: draft.desks.clone(),
            },
            Err(problem) => return refused(problem),
        }
    };
    match state.office.change(page.actor(), edit).await {
        Ok(()) => Ok(Redirect::to("/office").into_response()),
        Err(e) => match explain(tr, &e) {
            Some(problem) => refused(problem),
            None => Err(into_page_error(e)),
        },
    }
}

pub async fn add_service(
    State(state): State<AppState>,
    page: Page<Devices>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    save_service(&state, &page, None, &fields).await
}

pub async fn change_service(
    State(state): State<AppState>,
    page: Page<Devices>,
    Path(raw): Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let (letter, _) = letter_in_path(&state, &raw)?;
    save_service(&state, &page, Some(letter), &fields).await
}

pub async fn desks(
    State(state): State<AppState>,
    page: Page<Devices>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let number = fields.get("number").trim().parse::<u16>();
    let was = fields.get("was").parse::<u16>().ok();
    let rules = parse_rules(fields.get("rules"));
    let order = match fields.get("order") {
        "listed" => CallOrder::Listed,
        _ => CallOrder::LongestWait,
    };
    // The ticked services, in the order the preference field lists them (the rest after).
    let preference = fields.get("preference").to_owned();
    let mut services: Vec<Letter> = fields
        .all("service")
        .into_iter()
        .filter_map(|l| l.parse().ok())
        .collect();
    services.sort_by_key(|l: &Letter| preference.find(l.as_char()).unwrap_or(usize::MAX));
    let entry = number.as_ref().ok().map(|n| DeskEntry {
        number: *n,
        name: fields.get("name").trim().to_owned(),
        services,
        order,
        rules: rules.clone().unwrap_or_default(),
    });
    let typed = Typed {
        desk: entry.clone().filter(|_| was.is_none()),
        douar: None,
    };
    let unreadable = match (fields.get("action"), &entry, &rules) {
        ("add" | "save", None, _) => Some(format!(
            "{} · {:?}",
            tr.t("admin-office-error-desk_number"),
            fields.get("number")
        )),
        ("add" | "save", _, Err(e)) => Some(format!(
            "{} · {}",
            tr.t("admin-office-error-rule_format"),
            e.message
        )),
        _ => None,
    };
    if let Some(problem) = unreadable {
        return overview(
            &state,
            &page.session,
            tr,
            Some(problem),
            typed,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let edit = match (fields.get("action"), entry, was) {
        ("remove", _, Some(n)) => Edit::RemoveDesk(n),
        ("add", Some(entry), None) => Edit::Desk { was: None, entry },
        ("save", Some(entry), Some(n)) => Edit::Desk {
            was: Some(n),
            entry,
        },
        _ => return Err(PageError::BadForm),
    };
    match state.office.change(page.actor(), edit).await {
        Ok(()) => Ok(Redirect::to("/office#desks").into_response()),
        Err(e) => match explain(tr, &e) {
            Some(problem) => {
                overview(
                    &state,
                    &page.session,
                    tr,
                    Some(problem),
                    typed,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(into_page_error(e)),
        },
    }
}

pub async fn douars(
    State(state): State<AppState>,
    page: Page<Supervision>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let was = Some(fields.get("was").to_owned()).filter(|w| !w.is_empty());
    let households = match fields.get("households").trim() {
        "" => Ok(0),
        h => h.parse::<u32>(),
    };
    let douar = households.as_ref().ok().map(|h| Douar {
        name: fields.get("name").trim().to_owned(),
        households: *h,
    });
    let typed = Typed {
        desk: None,
        douar: douar.clone().filter(|_| was.is_none()),
    };
    let edit = match (fields.get("action"), douar, was) {
        ("remove", _, Some(name)) => Edit::RemoveDouar(name),
        ("add", Some(douar), None) => Edit::Douar { was: None, douar },
        ("save", Some(douar), Some(name)) => Edit::Douar {
            was: Some(name),
            douar,
        },
        ("add" | "save", None, _) => {
            let problem = format!(
                "{} · {:?}",
                tr.t("admin-office-error-douar_households"),
                fields.get("households")
            );
            return overview(
                &state,
                &page.session,
                tr,
                Some(problem),
                typed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        _ => return Err(PageError::BadForm),
    };
    match state.office.change(page.actor(), edit).await {
        Ok(()) => Ok(Redirect::to("/office#douars").into_response()),
        Err(e) => match explain(tr, &e) {
            Some(problem) => {
                overview(
                    &state,
                    &page.session,
                    tr,
                    Some(problem),
                    typed,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(into_page_error(e)),
        },
    }
}
