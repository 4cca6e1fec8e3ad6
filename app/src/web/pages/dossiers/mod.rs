//! The dossier pages (officers and supervisors; never technicians or the lobby): find or create
//! a person ([`people`]), their cases, steps, documents and referrals ([`cases`]), what is due,
//! and for supervisors the audit log, the reference of procedures, the retention period and
//! backups ([`supervision`]; the census is with the figures, `pages::figures`). Every action is a plain form (one transaction with its audit
//! lines, in `crate::dossiers`); every refusal says what was wrong in the reader's language and
//! loses nothing typed.

mod audit_text;
mod case_list;
mod cases;
mod merges;
mod people;
mod reference;
mod supervision;

use crate::web::AppState;
use axum::Router;
use axum::routing::{get, post};

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
        .route(
            "/people/{id}/merge",
            get(merges::preview).post(merges::merge),
        )
        .route("/merges/{id}/undo", post(merges::undo))
        .route("/people/{id}/export.json", get(people::export_json))
        .route("/scans/{id}", get(people::scan_image))
        .route("/cases", get(case_list::page).post(cases::open))
        .route("/cases/export.csv", get(case_list::export))
        .route("/cases/{id}", get(cases::page).post(cases::act))
        .route("/due", get(cases::due))
        .route("/audit", get(supervision::audit))
        .route("/audit/export.csv", get(supervision::audit_export))
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
        .route("/reference", get(reference::list))
        .route("/reference/export.toml", get(reference::export))
        .route(
            "/reference/new",
            get(reference::new_form)
                .post(reference::create)
                .layer(axum::extract::DefaultBodyLimit::max(FORM_BYTES)),
        )
        .route(
            "/reference/import",
            post(reference::preview).layer(axum::extract::DefaultBodyLimit::max(
                crate::reference::MAX_FILE_BYTES * 3 + 4096,
            )),
        )
        .route(
            "/reference/import/confirm",
            post(reference::confirm).layer(axum::extract::DefaultBodyLimit::max(
                crate::reference::MAX_FILE_BYTES * 3 + 4096,
            )),
        )
        .route(
            "/reference/{id}",
            get(reference::page)
                .post(reference::save)
                .layer(axum::extract::DefaultBodyLimit::max(FORM_BYTES)),
        )
}

/// The largest procedure form (four languages of up to 30 steps and 30 documents).
const FORM_BYTES: usize = 256 * 1024;

/// Today in the commune.
fn today(state: &AppState) -> jiff::civil::Date {
    state.settings().catalogue.local_day(crate::clock::now())
}
