//! The officer's desk: the ticket at the desk and its actions, the waiting tickets of the
//! desk's services (numbers, waits, priority; never names), call next, and a field for the
//! barcode reader. Every action is a form; `desk.js` refreshes the live part on each queue change.
//! The desk an officer last opened is remembered (a cookie of their browser), so "Guichet" in
//! the navigation goes straight back to it.

use super::extract::{CsrfForm, DeskPath, DeskWork, Page};
use super::layout;
use super::refusal::PageError;
use crate::i18n::Tr;
use crate::printer::PrinterState;
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use baom_domain::catalogue::{Desk, DeskNo, Letter};
use baom_domain::queue::{Command, Queue, Ticket, TicketId, TicketState};
use jiff::Timestamp;
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

/// The browser's remembered desk.
const DESK_COOKIE: &str = "baom_desk";

/// The desk chooser; with a remembered desk (and no `?choose=1`), that desk.
pub async fn choose(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    jar: CookieJar,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Page { session, tr, .. } = page;
    let remembered = jar
        .get(DESK_COOKIE)
        .and_then(|c| c.value().parse::<u16>().ok().map(DeskNo))
        .filter(|n| state.settings().catalogue.desk(*n).is_some());
    if let (Some(n), None) = (remembered, query.get("choose")) {
        return Redirect::to(&format!("/desk/{n}")).into_response();
    }
    let body = html! {
        section.card {
            h1 { (tr.t("desk-choose")) }
            nav.desks {
                @for d in state.settings().catalogue.desks() {
                    a.big-button href={ "/desk/" (d.number) } {
                        (tr.t1("desk-number", "n", &d.number.to_string()))
                        small { @for l in &d.services { " " (l) } }
                    }
                }
            }
        }
    };
    layout(tr, &tr.t("desk-title"), Some(&session), "/desk", body).into_response()
}

pub async fn page(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DeskWork>,
    DeskPath(desk): DeskPath,
    Query(query): Query<HashMap<String, String>>,
    jar: CookieJar,
) -> Response {
    let desk = &desk;
    let problem = query.get("problem").map(|code| {
        let key = format!("queue-{code}");
        let text = tr.t(&key);
        if text == key {
            tr.t1("queue-error", "message", code)
        } else {
            text
        }
    });
    let done = match (
        query.get("done").map(String::as_str),
        query.get("number"),
        query.get("to"),
    ) {
        (Some("transfer"), Some(number), Some(to)) => {
            let service = to
                .parse::<Letter>()
                .map(|l| format!("{l} · {}", service_name(tr, &state, l)))
                .unwrap_or_else(|_| to.clone());
            Some(tr.t2("desk-transferred", "number", number, "service", &service))
        }
        (Some("register"), _, _) => Some(tr.t("register-saved")),
        _ => None,
    };
    let queue = state.queue.snapshot();
    // The register of the visit last finished here (and not yet recorded), under the desk's
    // live part. Locked dossiers (nobody holding the key logged in) leave it out.
    let mut served: Vec<&Ticket> = queue
        .tickets()
        .iter()
        .filter(|t| t.desk == Some(desk.number) && t.state == TicketState::Served)
        .collect();
    served.sort_by_key(|t| std::cmp::Reverse(t.finished_at));
    let pending = state
        .figures
        .desk_pending(
            session.account.login.clone(),
            served.iter().map(|t| t.id.0).collect(),
        )
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no register card");
            None
        });
    // The officer's day: what is booked today at this desk, with this officer or for a
    // service of the desk with nobody named.
    let login = session.account.login.clone();
    let today_appointments: Vec<_> = state
        .appointments
        .of_day(queue.day())
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| {
            let b = &a.booking;
            b.desk == Some(desk.number)
                || b.officer.as_deref() == Some(login.as_str())
                || (b.desk.is_none() && b.officer.is_none() && desk.serves(b.service))
        })
        .collect();
    let title = tr.t1("desk-number", "n", &desk.number.to_string());
    let body = html! {
        div.title-row {
            h1 { (title) }
            a href="/desk?choose=1" { (tr.t("desk-change")) }
        }
        @if let Some(problem) = problem { p.problem role="alert" { (problem) } }
        @if let Some(done) = done { p.done role="status" { (done) } }
        form.scan method="get" action={ "/desk/" (desk.number) "/open" } {
            label { (tr.t("desk-scan")) input name="token" autocomplete="off" autofocus; }
            button type="submit" { (tr.t("desk-open")) }
        }
        div #live data-desk=(desk.number) { (live_part(tr, &state, &queue, desk, &session.csrf)) }
        @if let Some((ticket, input, more)) = &pending {
            (super::figures::desk_card(tr, &state, desk.number.0, &session.csrf, ticket, input, *more))
        }
        (super::appointments::today_card(tr, &state, &today_appointments))
        (shortcuts(tr))
        p.offline hidden { (tr.t("desk-live-lost")) }
        script src="/static/desk.js" defer {}
    };
    let remember = Cookie::build((DESK_COOKIE, desk.number.to_string()))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .permanent()
        .build();
    (
        jar.add(remember),
        layout(
            tr,
            &title,
            Some(&session),
            &format!("/desk/{}", desk.number),
            body,
        ),
    )
        .into_response()
}

/// The access keys of the desk's buttons, as the browser takes them (Alt and the letter;
/// Alt+Shift in Firefox): the barcode field keeps the focus, so a bare letter would be typed.
const SHORTCUTS: [(&str, &str); 6] = [
    ("N", "desk-call-next"),
    ("R", "desk-recall"),
    ("S", "desk-start"),
    ("F", "desk-finish"),
    ("A", "desk-no-show"),
    ("D", "desk-dossier"),
];

fn shortcuts(tr: Tr) -> Markup {
    html! {
        p.hint {
            (tr.t("desk-shortcuts")) " "
            @for (i, (key, label)) in SHORTCUTS.iter().enumerate() {
                @if i > 0 { " · " }
                kbd dir="ltr" { "Alt+" (key) } " " (tr.t(label))
            }
        }
    }
}

/// The part of the desk page that changes with the queue.
pub async fn live(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DeskWork>,
    DeskPath(desk): DeskPath,
) -> Markup {
    live_part(tr, &state, &state.queue.snapshot(), &desk, &session.csrf)
}

fn minutes_since(t: Timestamp) -> i64 {
    crate::clock::now().duration_since(t).as_secs().max(0) / 60
}

fn action_button(
    desk: DeskNo,
    csrf: &str,
    ticket: Option<TicketId>,
    action: &str,
    label: String,
    key: &str,
    primary: bool,
) -> Markup {
    html! {
        form.action method="post" action={ "/desk/" (desk) } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="action" value=(action);
            @if let Some(t) = ticket { input type="hidden" name="ticket" value=(t); }
            button.primary[primary] type="submit" accesskey=(key) data-action=(action) { (label) }
        }
    }
}

fn live_part(tr: Tr, state: &AppState, queue: &Queue, desk: &Desk, csrf: &str) -> Markup {
    let current = queue.at_desk(desk.number);
    let printer = state.printer.status().state;
    let printer_down = matches!(
        printer,
        PrinterState::PaperOut | PrinterState::CoverOpen | PrinterState::Offline
    );
    html! {
        @if printer_down {
            p.problem.printer role="alert" { (tr.t(&format!("desk-printer-{}", printer.as_str()))) }
        }
        section.card.current {
            h2 { (tr.t("desk-current")) }
            @match current {
                Some(t) => {
                    p.ticket-number #current-number { (t.number) }
                    p { (service_name(tr, state, t.service)) " · " (tr.t(&format!("state-{}", t.state))) @if t.priority { " · " span.priority { (tr.t("desk-priority")) } } }
                    p.visitor-language { (tr.t("desk-visitor-language")) " " bdi lang=(t.language.code()) { (crate::i18n::text(t.language, "language-name", &[])) } }
                    div.actions {
                        @if t.state == TicketState::Called {
                            (action_button(desk.number, csrf, Some(t.id), "recall", tr.t("desk-recall"), "r", false))
                            (action_button(desk.number, csrf, Some(t.id), "start", tr.t("desk-start"), "s", true))
                            (action_button(desk.number, csrf, Some(t.id), "no-show", tr.t("desk-no-show"), "a", false))
                        }
                        (action_button(desk.number, csrf, Some(t.id), "finish", tr.t("desk-finish"), "f", t.state == TicketState::Serving))
                        a.button #open-dossier href={ "/people?ticket=" (t.id) } accesskey="d" { (tr.t("desk-dossier")) }
                        form.action.transfer method="post" action={ "/desk/" (desk.number) } data-confirm=(tr.t1("desk-transfer-confirm", "number", &t.number.to_string())) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="action" value="transfer";
                            input type="hidden" name="ticket" value=(t.id);
                            label { (tr.t("desk-transfer")) " "
                                select name="service" {
                                    @for s in state.settings().catalogue.services().iter().filter(|s| s.letter != t.service) {
                                        option value=(s.letter) { (s.letter) " · " (s.names.get(tr.language())) }
                                    }
                                }
                            }
                            button type="submit" { (tr.t("desk-transfer-button")) }
                        }
                    }
                }
                None => {
                    p #current-number.empty { (tr.t("desk-none")) }
                    (action_button(desk.number, csrf, None, "call-next", tr.t("desk-call-next"), "n", true))
                }
            }
        }
        section.card.waiting {
            h2 { (tr.t("desk-waiting")) }
            @for letter in &desk.services {
                @let waiting: Vec<&Ticket> = queue.waiting(*letter).collect();
                h3 { (letter) " · " (service_name(tr, state, *letter)) " (" (waiting.len()) ")" }
                @if waiting.is_empty() {
                    p.empty { (tr.t("desk-no-waiting")) }
                } @else {
                    @let target = state.queue.catalogue().service(*letter).and_then(|s| s.target_wait_minutes);
                    ol.tickets {
                        @for t in waiting {
                            @let waited = minutes_since(t.issued_at);
                            @let late = target.is_some_and(|m| waited > i64::from(m));
                            li.priority[t.priority].past-target[late] data-past-target=(late) {
                                span.number { (t.number) }
                                span.wait { (tr.tn("desk-wait-min", "m", waited)) }
                                @if t.priority { span.flag { (tr.t("desk-priority")) } }
                                @if let Some(slot) = t.appointment { span.flag.appointment { (tr.t1("desk-appointment", "time", &baom_domain::appointments::clock(slot))) } }
                                @if late { span.flag.late { (tr.t1("desk-past-target", "m", &target.unwrap_or_default().to_string())) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn service_name(tr: Tr, state: &AppState, letter: Letter) -> String {
    state
        .queue
        .catalogue()
        .service(letter)
        .map(|s| s.names.get(tr.language()).to_owned())
        .unwrap_or_else(|| letter.to_string())
}

#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    ticket: Option<u64>,
    service: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    page: Page<DeskWork>,
    DeskPath(desk): DeskPath,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let desk = desk.number;
    let back = |problem: Option<&str>| match problem {
        Some(code) => Redirect::to(&format!("/desk/{desk}?problem={code}")).into_response(),
        None => Redirect::to(&format!("/desk/{desk}")).into_response(),
    };
    let ticket = form.ticket.map(TicketId);
    let transferred_to = form.service.clone();
    let command = match (form.action.as_str(), ticket) {
        ("call-next", _) => Command::CallNext { desk },
        ("call", Some(ticket)) => Command::Call { ticket, desk },
        ("recall", Some(ticket)) => Command::Recall { ticket, desk },
        ("start", Some(ticket)) => Command::Start { ticket, desk },
        ("finish", Some(ticket)) => Command::Finish { ticket, desk },
        ("no-show", Some(ticket)) => Command::NoShow { ticket, desk },
        ("transfer", Some(ticket)) => match form.service.as_deref().map(str::parse::<Letter>) {
            Some(Ok(to)) => Command::Transfer {
                ticket,
                to,
                desk: Some(desk),
            },
            _ => return Ok(back(Some("unknown_service"))),
        },
        _ => return Ok(back(Some("invalid_field"))),
    };
    match state.queue.execute(command, Some(page.actor())).await {
        Ok(done) => {
            tracing::info!(number = %done.ticket.number, action = done.event.change.kind(), %desk, login = %page.actor(), "desk action");
            if form.action == "transfer" {
                let to = transferred_to.unwrap_or_default();
                return Ok(Redirect::to(&format!(
                    "/desk/{desk}?done=transfer&number={}&to={}",
                    done.ticket.number,
                    crate::web::auth::urlencode(&to)
                ))
                .into_response());
            }
            Ok(back(None))
        }
        Err(crate::queue_service::ServiceError::Refused(e)) => Ok(back(Some(e.code()))),
        Err(e) => Err(PageError::Failed(e.to_string())),
    }
}

/// What the barcode reader opens: the ticket behind a QR token.
pub async fn open_ticket(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<DeskWork>,
    DeskPath(desk): DeskPath,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let desk = desk.number;
    let raw = query
        .get("token")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    // The same check as the API's: a forged or altered token finds nothing.
    let Ok(t) = state.tickets.by_token(&raw).await else {
        return Ok(Redirect::to(&format!("/desk/{desk}?problem=unknown_ticket")).into_response());
    };
    let queue = state.queue.snapshot();
    let shown_state = crate::web::views::shown_state(&t, queue.day());
    let issued = t
        .issued_at
        .to_zoned_datetime(state.settings().catalogue.time_zone().clone())
        .strftime("%H:%M")
        .to_string();
    let body = html! {
        section.card {
            h1 { (tr.t1("desk-ticket", "number", &t.number.to_string())) }
            p { (service_name(tr, &state, t.service)) " · " (tr.t(&format!("state-{shown_state}"))) @if t.priority { " · " (tr.t("desk-priority")) } }
            p { (tr.t1("desk-issued", "time", &issued)) }
            p { a.button href={ "/people?ticket=" (t.id) } { (tr.t("desk-dossier")) } }
            @if matches!(t.state, TicketState::Waiting | TicketState::NoShow) && t.day == queue.day() {
                (action_button(desk, &session.csrf, Some(t.id), "call", tr.t("desk-call-this"), "n", true))
            }
            p { a href={ "/desk/" (desk) } { (tr.t("desk-back")) } }
        }
    };
    Ok(layout(
        tr,
        &tr.t1("desk-ticket", "number", &t.number.to_string()),
        Some(&session),
        &format!("/desk/{desk}"),
        body,
    )
    .into_response())
}
