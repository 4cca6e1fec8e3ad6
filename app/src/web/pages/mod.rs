//! The LAN's pages: login, password, the officer's desk, the lobby screen and the technician's
//! view, and the dossiers, rendered on the server with maud, in the reader's language (Arabic
//! right to left). A few small scripts (`app/assets/`) add live updates; every action is also a
//! plain form.
//!
//! A handler takes its [`extract`]ors (language, session and role, CSRF-checked form, typed
//! ids), makes one call to a service module, and renders; it returns `Result<_, PageError>`
//! ([`refusal`]), so every refusal is the same page.

mod activities;
mod appointments;
mod charts;
mod clock;
mod desk;
mod diaspora;
mod directory;
mod dossiers;
pub mod extract;
mod figures;
pub mod lobby;
mod login;
mod office;
pub mod papers;
mod pooling;
mod projects;
pub mod refusal;
mod staff;
mod technician;

pub use refusal::PageError;

use super::{ApiError, AppState, auth};
use crate::accounts::{Role, Session};
use crate::i18n::Tr;
use axum::Router;
use axum::extract::{Path, Query, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use baom_domain::language::Language;
use extract::{AnyRole, Page};
use maud::{DOCTYPE, Markup, html};
use std::collections::HashMap;

pub const LANGUAGE_COOKIE: &str = "baom_lang";

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/password",
            get(login::password_form).post(login::password_submit),
        )
        .route("/desk", get(desk::choose))
        .route("/desk/{desk}", get(desk::page).post(desk::act))
        .route("/desk/{desk}/live", get(desk::live))
        .route("/desk/{desk}/open", get(desk::open_ticket))
        .route("/register", post(figures::record))
        .route("/register/new", get(figures::new_form))
        .route("/census", get(figures::census_page))
        .route("/census/new", get(figures::household_form))
        .route("/census/households", post(figures::add_household))
        .route("/report", get(figures::report))
        .route("/report/export.docx", get(figures::report_docx))
        .route("/figures", get(figures::page))
        .route("/figures/export.csv", get(figures::export_csv))
        .route("/figures/export.xlsx", get(figures::export_xlsx))
        .route("/pooling", get(pooling::page).post(pooling::make))
        .route("/slip", get(papers::visit_slip_page))
        .route("/slip/print", post(papers::visit_slip_print))
        .route("/cases/{id}/slip", get(papers::slip_page))
        .route("/cases/{id}/appointments", post(appointments::book))
        .route(
            "/appointments/{id}",
            get(appointments::slip).post(appointments::act),
        )
        .route("/cases/{id}/slip/print", post(papers::slip_print))
        .route(
            "/cases/{id}/letters/{template}",
            get(papers::letter_page).post(papers::letter_print),
        )
        .route("/letters", get(papers::list))
        .route("/letters/export.toml", get(papers::export))
        .route("/letters/new", get(papers::new_form).post(papers::create))
        .route("/letters/import", post(papers::preview))
        .route("/letters/import/confirm", post(papers::confirm))
        .route("/letters/{id}", get(papers::edit_form).post(papers::change))
        .route("/pooling/{file}", get(pooling::file))
        .route("/pooling/{id}/stick", post(pooling::to_stick))
        .route("/lobby", get(lobby::page))
        .route("/events", get(lobby::events))
        .route("/lobby/speech.wav", get(lobby::speech))
        .route("/lobby/projects", get(lobby::projects))
        .route("/technician", get(technician::page).post(technician::check))
        .route("/technician/update-stick", post(technician::from_stick))
        .route("/technician/update-feed", post(technician::from_feed))
        .route("/technician/update-check", post(technician::check_feed))
        // A system's update bundle: hundreds of MiB (crate::updates checks its size itself).
        .route(
            "/technician/update",
            post(technician::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::updates::MAX_BUNDLE_BYTES as usize + 64 * 1024,
            )),
        )
        .route("/staff", get(staff::list).post(staff::add))
        .route("/staff/{login}", post(staff::act))
        .route("/office", get(office::page))
        .route(
            "/office/services/new",
            get(office::new_service).post(office::add_service),
        )
        .route(
            "/office/services/{letter}",
            get(office::service).post(office::change_service),
        )
        .route("/office/desks", post(office::desks))
        .route("/office/douars", post(office::douars))
        .route("/clock", get(clock::page).post(clock::set))
        .route(
            "/activities",
            get(activities::list).post(activities::create),
        )
        .route("/activities/new", get(activities::new_form))
        .route(
            "/activities/{id}",
            get(activities::show).post(activities::change),
        )
        .route("/activities/{id}/report", get(activities::printable))
        .route("/diaspora", get(diaspora::page))
        .route("/diaspora/associations", post(diaspora::add_association))
        .route("/diaspora/members", post(diaspora::add_member))
        .route("/diaspora/members/{id}/erase", post(diaspora::erase_member))
        .route("/diaspora/letters", get(diaspora::letters_chosen))
        .route("/diaspora/letters/{template}", get(diaspora::letters))
        .route("/projects/{id}/contributions", post(diaspora::contribute))
        .route("/contributions/{id}", post(diaspora::step))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/new", get(projects::new_form))
        .route("/projects/{id}", get(projects::show).post(projects::change))
        .route("/projects/{id}/sheet", get(projects::printable))
        .route("/projects/{id}/card.png", get(projects::card))
        .route(
            "/projects/{id}/photo",
            get(projects::photo).post(projects::upload_photo).layer(
                axum::extract::DefaultBodyLimit::max(
                    baom_domain::projects::MAX_PHOTO_BYTES + 64 * 1024,
                ),
            ),
        )
        .route("/directory", get(directory::list))
        .route("/directory/export.toml", get(directory::export))
        .route(
            "/directory/new",
            get(directory::new_form).post(directory::create),
        )
        .route(
            "/directory/import",
            post(directory::preview).layer(axum::extract::DefaultBodyLimit::max(
                crate::directory::MAX_FILE_BYTES * 3 + 4096,
            )),
        )
        .route(
            "/directory/import/confirm",
            post(directory::confirm).layer(axum::extract::DefaultBodyLimit::max(
                crate::directory::MAX_FILE_BYTES * 3 + 4096,
            )),
        )
        .route(
            "/directory/{id}",
            get(directory::edit_form).post(directory::change),
        )
        .merge(dossiers::router())
        .route("/lang/{code}", get(set_language))
        .route("/static/{file}", get(asset))
        .layer(axum::middleware::from_fn_with_state(state, refusal::render))
}

/// The reader's language: the `baom_lang` cookie, else French.
pub fn language(headers: &HeaderMap) -> Tr {
    let jar = CookieJar::from_headers(headers);
    Tr(jar
        .get(LANGUAGE_COOKIE)
        .and_then(|c| c.value().parse::<Language>().ok())
        .unwrap_or(Language::French))
}

async fn set_language(
    Path(code): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    jar: CookieJar,
) -> Response {
    let back = safe_next(query.get("next").map(String::as_str));
    match code.parse::<Language>() {
        Ok(language) => {
            let cookie = Cookie::build((LANGUAGE_COOKIE, language.code().to_owned()))
                .path("/")
                .secure(true)
                .same_site(SameSite::Strict)
                .permanent()
                .build();
            (jar.add(cookie), Redirect::to(&back)).into_response()
        }
        Err(e) => {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_language", e.to_string()).into_response()
        }
    }
}

/// A local path to go back to after a login or a language switch; anything else means home.
/// Only a path of this site: it starts with one `/`, and holds no backslash, no control
/// character and no whitespace but the plain space (browsers drop tabs and newlines from
/// addresses, so `/\t/evil.example` would become `//evil.example`, another site).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || (c.is_whitespace() && c != ' ')) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Where each role starts.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Officer | Role::Supervisor => "/desk",
        Role::Technician => "/technician",
        Role::Display => "/lobby",
    }
}

async fn home(page: Page<AnyRole>) -> Redirect {
    Redirect::to(home_of(page.role()))
}

/// The frame of every page: language, direction, the language switch, who is signed in and,
/// for staff, the way to their work (their desk, people, what is due, and each role's pages).
pub fn layout(
    tr: Tr,
    title: &str,
    session: Option<&Session>,
    current_path: &str,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(tr.language().code()) dir=(tr.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (tr.t("app-title")) }
                link rel="stylesheet" href="/static/baom.css";
                script src="/static/forms.js" defer {}
            }
            body {
                header.top {
                    span.brand { (tr.t("app-title")) }
                    nav.languages {
                        @for language in Language::ALL {
                            a href={ "/lang/" (language.code()) "?next=" (auth::urlencode(current_path)) } lang=(language.code())
                                aria-current=[(language == tr.language()).then_some("true")] { (crate::i18n::text(language, "language-name", &[])) }
                        }
                    }
                    @if let Some(session) = session {
                        form.logout method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            span { (tr.t1("signed-in-as", "name", &session.account.display_name)) " · " (tr.t(&format!("role-{}", session.account.role))) }
                            button type="submit" { (tr.t("logout")) }
                        }
                    }
                }
                @if let Some(session) = session { (staff_nav(tr, session, current_path)) }
                main { (body) }
            }
        }
    }
}

/// The lobby TV's frame: no header, no links, nothing but the screen (it is read from across
/// the room, and nobody there should see whose session it is).
pub fn screen_layout(tr: Tr, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(tr.language().code()) dir=(tr.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/static/baom.css";
            }
            body.screen { (body) }
        }
    }
}

/// The staff's way around: for desk staff their desk (the one they last worked at), people and
/// what is due; for supervisors their pages; for technicians theirs. The lobby TV has none.
fn staff_nav(tr: Tr, session: &Session, current_path: &str) -> Markup {
    let role = session.account.role;
    let links: Vec<(&str, &str)> = [
        (role.works_at_desk(), "/desk", "desk-title"),
        (role.sees_dossiers(), "/people", "people-title"),
        (role.sees_dossiers(), "/cases", "cases-list-title"),
        (role.sees_dossiers(), "/due", "due-title"),
        // Officers read the reference and the directory; supervisors also edit them.
        (role.sees_dossiers(), "/reference", "reference-title"),
        (role.sees_dossiers(), "/directory", "admin-directory-title"),
        (role.sees_dossiers(), "/letters", "letters-title"),
        (role.sees_dossiers(), "/slip", "slip-visit-nav"),
        (role.sees_dossiers(), "/projects", "project-title"),
        (role.sees_dossiers(), "/activities", "activity-title"),
        (role.sees_dossiers(), "/diaspora", "diaspora-title"),
        (role.works_at_desk(), "/figures", "fig-title"),
        (role.supervises(), "/report", "report-nav"),
        (role.supervises(), "/pooling", "pool-title"),
        (role.supervises(), "/audit", "audit-title"),
        (role.supervises(), "/census", "census-title"),
        (role.supervises(), "/retention", "retention-title"),
        (role.supervises(), "/backup", "backup-title"),
        (role.supervises(), "/staff", "admin-staff-title"),
        (role.sees_devices(), "/office", "admin-office-title"),
        (role.sees_devices(), "/clock", "admin-clock-title"),
        (role.sees_devices(), "/technician", "tech-title"),
    ]
    .into_iter()
    .filter(|(shown, _, _)| *shown)
    .map(|(_, href, key)| (href, key))
    .collect();
    html! {
        @if !links.is_empty() && !session.account.must_change_password {
            nav.staff aria-label=(tr.t("nav-label")) {
                @for (href, key) in links {
                    a href=(href) aria-current=[current_path.starts_with(href).then_some("page")] { (tr.t(key)) }
                }
            }
        }
        // A clock behind the last thing recorded is said on every supervisor's and technician's page.
        @if role.sees_devices() { (clock::warning(tr)) }
    }
}

/// Pages not found: JSON under /api, a page elsewhere.
pub async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        return super::error::not_found().await.into_response();
    }
    let tr = language(request.headers());
    refusal::page(tr, StatusCode::NOT_FOUND, &tr.t("error-not-found"))
}

const ASSETS: [(&str, &str, &str); 4] = [
    (
        "forms.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/forms.js"),
    ),
    (
        "baom.css",
        "text/css; charset=utf-8",
        include_str!("../../../assets/baom.css"),
    ),
    (
        "desk.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/desk.js"),
    ),
    (
        "lobby.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/lobby.js"),
    ),
];

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
