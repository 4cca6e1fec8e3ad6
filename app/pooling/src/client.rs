//! The PostgreSQL client both the box's push and the province's tool load batches with
//! (feature `client`): a TLS connection checked against the province's authority, and a
//! batch's load in one transaction as [`crate::postgres`] states it. The only part of this
//! crate that does I/O, and only when asked for.

use crate::postgres as sql;
use std::path::Path;
use std::sync::Arc;
/// The connection both loaders hold.
pub use tokio_postgres::Client;

/// Why a load did not happen: the server said no (final), or the link failed (try again).
pub enum Load {
    Refused(String),
    Link(String),
}

/// Connects to the province's server over TLS checked against `ca`.
pub async fn connect(
    server: &str,
    password_file: Option<&Path>,
    ca: Option<&Path>,
) -> Result<tokio_postgres::Client, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let ca = ca.ok_or("no authority for the server's certificate (pooling.ca)")?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| format!("{}: {e}", ca.display()))? {
        let cert = cert.map_err(|e| format!("{}: {e}", ca.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", ca.display()))?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let mut config: tokio_postgres::Config = server.parse().map_err(|e| format!("{e}"))?;
    config
        .ssl_mode(tokio_postgres::config::SslMode::Require)
        .connect_timeout(std::time::Duration::from_secs(10));
    if let Some(file) = password_file {
        let password =
            std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        config.password(password.trim_end_matches(['\n', '\r']));
    }
    let (client, connection) = config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("the province's server connection ended: {e}");
        }
    });
    Ok(client)
}

/// Makes the schema if it is not there (the province's tool does; a box does not).
pub async fn init(client: &tokio_postgres::Client) -> Result<(), String> {
    client
        .batch_execute(sql::SCHEMA)
        .await
        .map_err(|e| e.to_string())
}

/// Loads one signed batch in one transaction (see `baom_pooling::postgres`): returns what
/// happened, in words.
pub async fn load(
    client: &mut tokio_postgres::Client,
    signed: &crate::Signed,
) -> Result<&'static str, Load> {
    // What the server says of the batch itself is final; a failure of the link, of a lock or
    // of the server's resources, and a concurrent loader, are worth another try.
    let link = |e: tokio_postgres::Error| match e.as_db_error() {
        Some(db) => {
            let code = db.code().code();
            if ["08", "40", "53", "55", "57", "58"]
                .iter()
                .any(|class| code.starts_with(class))
            {
                Load::Link(e.to_string())
            } else {
                Load::Refused(e.to_string())
            }
        }
        None => Load::Link(e.to_string()),
    };
    let b = &signed.batch;
    let tx = client.transaction().await.map_err(link)?;
    if let Some(r) = tx
        .query_opt(sql::FIND_BATCH, &[&b.batch])
        .await
        .map_err(link)?
    {
        let sha: String = r.get(0);
        return if sha == signed.sha256 {
            Ok("already there: nothing changed")
        } else {
            Err(Load::Refused(format!(
                "another batch with the id {} is there already",
                b.batch
            )))
        };
    }
    let superseded = tx
        .query_opt(sql::NEWER, &[&b.org_unit, &b.period, &b.made_at])
        .await
        .map_err(link)?
        .is_some();
    let inserted = tx
        .query_opt(
            sql::INSERT_BATCH,
            &[
                &b.batch,
                &b.org_unit,
                &b.period,
                &b.replaces,
                &b.codes_hash,
                &(b.row_count as i32),
                &signed.sha256,
                &b.made_at,
            ],
        )
        .await
        .map_err(link)?;
    if inserted.is_none() {
        return Err(Load::Link(format!(
            "batch {} was being loaded by another at the same time",
            b.batch
        )));
    }
    if !superseded {
        tx.execute(sql::REMOVE_PERIOD, &[&b.org_unit, &b.period])
            .await
            .map_err(link)?;
        let c = sql::Columns::of(b);
        tx.execute(
            sql::UPSERT_VALUES,
            &[
                &c.data_elements,
                &c.periods,
                &c.org_units,
                &c.combos,
                &c.options,
                &c.values,
                &c.suppressed,
                &b.batch,
            ],
        )
        .await
        .map_err(link)?;
    }
    tx.commit().await.map_err(link)?;
    Ok(if superseded {
        "recorded; a newer batch of its commune and period is there already"
    } else {
        "loaded"
    })
}
