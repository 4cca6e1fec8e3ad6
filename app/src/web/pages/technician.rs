//! The technician's view: the state of the service and its devices. No dossier, ever.

use super::extract::{Devices, Page};
use super::layout;
use crate::web::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

pub async fn page(
    State(state): State<AppState>,
    Page { session, tr, .. }: Page<Devices>,
) -> Response {
    let queue = state.queue.snapshot();
    let body = html! {
        section.card {
            h1 { (tr.t("tech-title")) }
            h2 { (tr.t("tech-health")) }
            ul {
                li { "baom " (env!("CARGO_PKG_VERSION")) }
                li { (tr.t1("tech-tickets-today", "n", &queue.tickets().len().to_string())) }
                li { (state.settings.data_dir.display()) }
            }
        }
    };
    layout(tr, &tr.t("tech-title"), Some(&session), "/technician", body).into_response()
}
