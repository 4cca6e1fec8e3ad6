//! The dossier pages (officers and supervisors; never technicians or the lobby): find or create
//! a person ([`people`]), their cases, steps, documents and referrals ([`cases`]), what is due,
//! and for supervisors the audit log, the reference of procedures, the retention period and the
//! census ([`supervision`]). Every action is a plain form (one transaction, one audit line);
//! every refusal says what was wrong in the reader's language and loses nothing typed.

// A refusal here is the page to send back as it is; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod cases;
mod people;
mod supervision;

use super::{csrf_refusal, forbidden, language, layout, refusal};
use crate::accounts::Session;
use crate::dossiers::DossierStoreError;
use crate::i18n::Tr;
use crate::web::AppState;
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use baom_domain::dossier::DossierError;
use maud::{Markup, html};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(people::find).post(people::create))
        .route("/people/new", get(people::new_form))
        .route("/people/{id}", get(people::page).post(people::act))
        .route(
            "/people/{id}/edit",
            get(people::edit_form).post(people::edit),
        )
        .route("/people/{id}/export", get(people::export_page))
        .route("/people/{id}/export.json", get(people::export_json))
        .route("/scans/{id}", get(people::scan_image))
        .route("/cases", post(cases::open))
        .route("/cases/{id}", get(cases::page).post(cases::act))
        .route("/due", get(cases::due))
        .route("/audit", get(supervision::audit))
        .route("/census", get(supervision::census))
        .route(
            "/retention",
            get(supervision::retention).post(supervision::purge),
        )
        .route(
            "/vault",
            get(supervision::vault_form).post(supervision::vault_unlock),
        )
        .route("/backup", get(supervision::backup_page))
        .route("/backup/download", get(supervision::backup_download))
        .route("/reference", get(supervision::reference_list))
        .route("/reference/export.toml", get(supervision::reference_export))
        .route(
            "/reference/import",
            post(supervision::reference_import).layer(axum::extract::DefaultBodyLimit::max(
                crate::reference::MAX_FILE_BYTES * 3 + 4096,
            )),
        )
        .route(
            "/reference/{id}",
            get(supervision::reference_page)
                .post(supervision::reference_save)
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024)),
        )
}

/// The reader's language, and a refusal unless their role opens dossiers.
fn dossier_reader(headers: &HeaderMap, session: &Session) -> Result<Tr, Response> {
    let tr = language(headers);
    if session.account.role.sees_dossiers() {
        Ok(tr)
    } else {
        Err(forbidden(tr))
    }
}

/// The same, for supervisors only.
fn supervisor(headers: &HeaderMap, session: &Session) -> Result<Tr, Response> {
    let tr = language(headers);
    if session.account.role == crate::accounts::Role::Supervisor {
        Ok(tr)
    } else {
        Err(forbidden(tr))
    }
}

/// A form's CSRF check, as a `Result` for `?`.
fn checked(tr: Tr, session: &Session, csrf: &str) -> Result<(), Response> {
    match csrf_refusal(tr, session, csrf) {
        Some(refused) => Err(refused),
        None => Ok(()),
    }
}

/// A refused input as a sentence in the reader's language, naming the field.
fn explain(tr: Tr, e: &DossierError) -> String {
    let key = format!("dossier-error-{}", e.code);
    let sentence = tr.t(&key);
    let field = tr.t(&format!("field-{}", e.field));
    if sentence == key {
        format!("{field}: {}", e.message)
    } else {
        format!("{sentence} ({field})")
    }
}

/// Turns a store error into a page: the locked vault gets its own explanation.
fn store_refusal(tr: Tr, session: &Session, e: DossierStoreError) -> Response {
    match e {
        DossierStoreError::Locked => locked_page(tr, session),
        DossierStoreError::Invalid(d) => {
            refusal(tr, StatusCode::UNPROCESSABLE_ENTITY, &explain(tr, &d))
        }
        DossierStoreError::NotFound(what) => refusal(
            tr,
            StatusCode::NOT_FOUND,
            &tr.t(&format!("dossier-unknown-{what}")),
        ),
        other => {
            tracing::error!(error = %other, "dossier action failed");
            refusal(tr, StatusCode::SERVICE_UNAVAILABLE, &other.to_string())
        }
    }
}

/// The dossiers are locked (the service restarted since this session's login).
pub(super) fn locked_page(tr: Tr, session: &Session) -> Response {
    let body = html! {
        section.card.narrow {
            h1 { (tr.t("dossiers-locked-title")) }
            p { (tr.t("dossiers-locked-explain")) }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(session.csrf);
                button.primary type="submit" { (tr.t("dossiers-login-again")) }
            }
            @if session.account.role == crate::accounts::Role::Supervisor {
                p { a href="/vault" { (tr.t("vault-title")) } }
            }
        }
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        layout(
            tr,
            &tr.t("dossiers-locked-title"),
            Some(session),
            "/people",
            body,
        ),
    )
        .into_response()
}

/// The dossier pages' own navigation.
fn nav(tr: Tr, session: &Session) -> Markup {
    html! {
        nav.dossiers {
            a href="/desk" { (tr.t("desk-title")) }
            a href="/people" { (tr.t("people-title")) }
            a href="/due" { (tr.t("due-title")) }
            @if session.account.role == crate::accounts::Role::Supervisor {
                a href="/audit" { (tr.t("audit-title")) }
                a href="/reference" { (tr.t("reference-title")) }
                a href="/census" { (tr.t("census-title")) }
                a href="/retention" { (tr.t("retention-title")) }
                a href="/backup" { (tr.t("backup-title")) }
            }
        }
    }
}

/// Today in the commune.
fn today(state: &AppState) -> jiff::civil::Date {
    state.settings.catalogue.local_day(jiff::Timestamp::now())
}

/// The actor name written to the audit log.
fn actor(session: &Session) -> String {
    session.account.login.clone()
}
