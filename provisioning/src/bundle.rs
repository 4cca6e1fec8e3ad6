//! The first-boot bundle: everything a new box needs to come up as this commune's office.
//!
//! ```text
//! bundle/
//!   manifest.json       the box's id, name, and a SHA-256 of every file
//!   baom.toml           the service's configuration (the settings + server, TLS, accounts)
//!   tls/ca.crt          the commune's local authority, for officers' browsers to trust once
//!   tls/server.crt      the box's certificate, for its name and addresses, signed by the authority
//!   tls/server.key      its private key (mode 0600)
//!   vault.json          the dossiers' key, wrapped per officer/supervisor one-time password and
//!                       by the recovery key (see `baom-keys`); no key in clear
//!   pool.key            the box's Ed25519 key that signs its pooled figures (mode 0600); its
//!                       public part is on the handover sheet, for the province's registry
//!   handover.html       the printable sheet: one-time passwords, the authority's fingerprint and
//!                       the dossiers' recovery key
//! ```
//!
//! Secrets: the one-time passwords and the recovery key exist only on the handover sheet (the
//! configuration holds the passwords' argon2id hashes, `vault.json` only wrapped keys); the
//! authority's private key is used once and never written, so nobody can issue another
//! certificate in the commune's name.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use baom_keys::{hash_password, new_one_time_password};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const DATA_DIR: &str = "/var/lib/baom";

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Which box this bundle is for: the first bundle applied to a box gives it its id.
    pub box_id: String,
    pub hostname: String,
    pub commune: String,
    pub created_at: String,
    /// `(path relative to the bundle, SHA-256 hex)`.
    pub files: Vec<(String, String)>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_file(path: &Path) -> Result<String> {
    Ok(hex(&Sha256::digest(std::fs::read(path).with_context(
        || format!("cannot read {}", path.display()),
    )?)))
}

fn write(
    out: &Path,
    name: &str,
    bytes: &[u8],
    private: bool,
    files: &mut Vec<(String, String)>,
) -> Result<()> {
    let path = out.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if private {
        baom_config::write_private(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    } else {
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    files.push((name.to_owned(), hex(&Sha256::digest(bytes))));
    Ok(())
}

/// Makes the bundle for `settings` in `out`, which must not exist yet or be empty.
/// Where the box's image mounts a USB stick labelled BAOM-BACKUP (see `images/`).
pub const BACKUP_DIR: &str = "/var/lib/baom/usb";

pub fn make(settings: &Settings, out: &Path) -> Result<Manifest> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        bail!(
            "{} is not empty: a bundle goes into a new directory",
            out.display()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let box_id = hex(&id);
    let commune = &settings.service.commune;

    // The commune's authority, then the box's certificate signed by it.
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("BAOM {} — autorité locale", commune.name_latin),
    );
    ca.distinguished_name
        .push(DnType::OrganizationName, commune.name_latin.clone());
    let now = jiff::Timestamp::now();
    let year = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
    ca.not_before = rcgen::date_time_ymd(year as i32, 1, 1);
    ca.not_after = rcgen::date_time_ymd(year as i32 + 20, 1, 1);
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let mut names = vec![
        settings.hostname.clone(),
        format!("{}.local", settings.hostname),
        "localhost".to_owned(),
    ];
    names.dedup();
    let mut server = CertificateParams::new(names)?;
    for ip in &settings.addresses {
        server.subject_alt_names.push(SanType::IpAddress(*ip));
    }
    server
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    server.distinguished_name = DistinguishedName::new();
    server
        .distinguished_name
        .push(DnType::CommonName, settings.hostname.clone());
    server.not_before = rcgen::date_time_ymd(year as i32, 1, 1);
    server.not_after = rcgen::date_time_ymd(year as i32 + 10, 1, 1);
    let server_key = KeyPair::generate()?;
    let server_cert = server.signed_by(&server_key, &issuer)?;
    drop(issuer); // the authority's key goes no further

    // Accounts: one-time passwords for the sheet, their hashes for the configuration.
    let mut sheet_rows = Vec::new();
    let mut accounts = String::new();
    for person in &settings.staff {
        let password = new_one_time_password()?;
        let hash = hash_password(&password)?;
        accounts.push_str(&format!(
            "\n[[accounts]]\nlogin = {:?}\nname = {:?}\nrole = \"{}\"\ninitial_password_hash = {:?}\n",
            person.login, person.name, person.role, hash
        ));
        sheet_rows.push((person, password));
    }
    let mut config = settings.text.clone();
    config.push_str(&format!(
        "\n# Written by baom-provision for box {box_id} on {now}.\n[server]\ndata_dir = {DATA_DIR:?}\nlisten = \"0.0.0.0:443\"\nredirect_listen = \"0.0.0.0:80\"\ntime_zone = {:?}\n\n[tls]\ncertificate = \"tls/server.crt\"\nprivate_key = \"tls/server.key\"\n{accounts}",
        "Africa/Casablanca"
    ));
    // The nightly backup goes to a USB stick labelled BAOM-BACKUP, which the box's image mounts
    // at this path when one is plugged in (images/files/etc/udev/rules.d/90-baom-backup.rules),
    // unless the settings chose otherwise.
    if !settings.text.lines().any(|l| l.trim() == "[backup]") {
        config.push_str(&format!("\n[backup]\nusb_dir = {BACKUP_DIR:?}\n"));
    }
    // The service must accept what we wrote, or the bundle is useless.
    baom_config::parse(&out.join("baom.toml"), &config)
        .context("the generated configuration does not check: this is a bug in baom-provision")?;

    // The dossiers' key, made here so the handover sheet can carry its recovery key: wrapped
    // under each officer's and supervisor's one-time password (their first login opens the
    // dossiers) and under the recovery key, which is printed on the sheet and written nowhere.
    let holders: Vec<(&str, &str)> = sheet_rows
        .iter()
        .filter(|(person, _)| person.role.sees_dossiers())
        .map(|(person, password)| (person.login.as_str(), password.as_str()))
        .collect();
    let vault = baom_keys::NewVault::generate(&holders)?;
    let recovery = vault.recovery.display();

    // The key that signs the box's pooled figures: its public part goes on the sheet, for the
    // province's registry.
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).context("no randomness for the pooling key")?;
    let pool_public = baom_pooling::file::public_key(&ed25519_dalek::SigningKey::from_bytes(&seed));

    let fingerprint = hex(&Sha256::digest(ca_cert.der()));
    let mut files = Vec::new();
    write(out, "baom.toml", config.as_bytes(), true, &mut files)?;
    write(
        out,
        "tls/ca.crt",
        ca_cert.pem().as_bytes(),
        false,
        &mut files,
    )?;
    write(
        out,
        "tls/server.crt",
        server_cert.pem().as_bytes(),
        false,
        &mut files,
    )?;
    write(
        out,
        "tls/server.key",
        server_key.serialize_pem().as_bytes(),
        true,
        &mut files,
    )?;
    write(
        out,
        "vault.json",
        &serde_json::to_vec_pretty(&vault.stored)?,
        true,
        &mut files,
    )?;
    write(
        out,
        "pool.key",
        format!("{}\n", hex(&seed)).as_bytes(),
        true,
        &mut files,
    )?;
    write(
        out,
        "handover.html",
        handover(
            settings,
            &box_id,
            &fingerprint,
            &sheet_rows,
            &recovery,
            &pool_public,
        )
        .as_bytes(),
        true,
        &mut files,
    )?;
    let manifest = Manifest {
        box_id,
        hostname: settings.hostname.clone(),
        commune: commune.name_latin.clone(),
        created_at: now.to_string(),
        files,
    };
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The sheet handed to the office: who logs in with what, and how to trust the box.
fn handover(
    settings: &Settings,
    box_id: &str,
    fingerprint: &str,
    rows: &[(&crate::settings::Staff, String)],
    recovery: &str,
    pool_public: &str,
) -> String {
    let commune = &settings.service.commune;
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>BAOM — {latin}</title>\
<style>body{{font-family:sans-serif;max-width:48rem;margin:2rem auto}}td,th{{border:1px solid #888;padding:.4rem .6rem}}table{{border-collapse:collapse}}code{{font-size:1.15rem}}</style></head><body>\n\
<h1>BAOM — {latin} <span lang=\"ar\" dir=\"rtl\">{ar}</span></h1>\n\
<p>Fiche de remise du boîtier <b>{host}</b> (identifiant {box_id}). À garder sous clé : elle contient les mots de passe initiaux.</p>\n\
<h2>Adresse</h2><p><code>https://{host}/</code>{addresses}</p>\n\
<h2>Autorité de certification de la commune</h2>\n<p>Installer <code>tls/ca.crt</code> une fois dans le navigateur de chaque poste. Empreinte SHA-256 à vérifier :</p>\n<p><code>{fingerprint}</code></p>\n\
<h2>Comptes (mot de passe à usage unique, à changer à la première connexion)</h2>\n<table><tr><th>Nom</th><th>Identifiant</th><th>Rôle</th><th>Mot de passe initial</th></tr>\n",
        latin = escape(&commune.name_latin),
        ar = escape(&commune.name_ar),
        host = escape(&settings.hostname),
        addresses = settings
            .addresses
            .iter()
            .map(|a| format!(" ou <code>https://{a}/</code>"))
            .collect::<String>(),
    );
    for (person, password) in rows {
        html.push_str(&format!(
            "<tr><td>{}</td><td><code class=\"login\">{}</code></td><td>{}</td><td><code class=\"password\">{}</code></td></tr>\n",
            escape(&person.name),
            escape(&person.login),
            person.role,
            escape(password)
        ));
    }
    html.push_str(&format!(
        "</table>\n<h2>Clé de secours des dossiers</h2>\n<p>Si plus personne ne peut se connecter, cette clé rouvre les dossiers (page « Clé de secours » d'un superviseur) et restaure une sauvegarde sur un nouveau boîtier (<code>baom restore</code>). Elle n'est écrite nulle part ailleurs : à garder sous clé, à part de cette fiche si possible.</p>\n<p><code class=\"recovery\">{}</code></p>\n\
<h2>Clé publique des chiffres mis en commun</h2>\n<p>La province l'inscrit dans son registre avec le code de la commune ({code}) : elle vérifie avec elle que chaque lot de chiffres vient de ce boîtier.</p>\n<p><code class=\"pool-key\">{}</code></p>\n</body></html>\n",
        escape(recovery),
        escape(pool_public),
        code = escape(&commune.code),
    ));
    html
}
