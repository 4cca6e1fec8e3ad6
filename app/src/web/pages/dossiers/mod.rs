//! The dossier pages (officers and supervisors; never technicians or the lobby): find or create
//! a person ([`people`]), their cases, steps, documents and referrals ([`cases`]), what is due,
//! and for supervisors the audit log, the reference of procedures, the retention period and the
//! census ([`supervision`]). Every action is a plain form (one transaction with its audit
//! lines, in `crate::dossiers`); every refusal says what was wrong in the reader's language and
//! loses nothing typed.

mod cases;
mod people;
mod reference;
mod supervision;

use crate::accounts::Session;
use crate::i18n::Tr;
use crate::web::AppState;
use axum::Router;
use axum::routing::{get, post};
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

/// The navigation of the dossier pages and the office's administration: officers see their
/// work and the reference and directory they read; supervisors also the oversight and the
/// office's settings, accounts and clock; technicians their own page, the settings and clock.
pub(crate) fn nav(tr: Tr, session: &Session) -> Markup {
    let role = session.account.role;
    html! {
        nav.dossiers {
            @if role.sees_dossiers() {
                a href="/desk" { (tr.t("desk-title")) }
                a href="/people" { (tr.t("people-title")) }
                a href="/due" { (tr.t("due-title")) }
                a href="/reference" { (tr.t("reference-title")) }
                a href="/directory" { (tr.t("admin-directory-title")) }
            }
            @if role.supervises() {
                a href="/audit" { (tr.t("audit-title")) }
                a href="/census" { (tr.t("census-title")) }
                a href="/retention" { (tr.t("retention-title")) }
                a href="/backup" { (tr.t("backup-title")) }
                a href="/staff" { (tr.t("admin-staff-title")) }
            }
            @if role.sees_devices() {
                a href="/office" { (tr.t("admin-office-title")) }
                a href="/clock" { (tr.t("admin-clock-title")) }
                a href="/technician" { (tr.t("tech-title")) }
            }
        }
        @if role.sees_devices() { (super::clock::warning(tr)) }
    }
}

/// The largest procedure form (four languages of up to 30 steps and 30 documents).
const FORM_BYTES: usize = 256 * 1024;

/// Today in the commune.
fn today(state: &AppState) -> jiff::civil::Date {
    state.settings().catalogue.local_day(crate::clock::now())
}
