//! The commune's settings file: the service's configuration (checked by the service's own parser,
//! so the two can never disagree) plus what only provisioning reads: the box on the network, the
//! douars and the staff. Every problem is reported as `FILE:LINE:COLUMN: FIELD: what is wrong`.

use baom_config::{self as config, ConfigError};
use baom_domain::staff::Role;
use serde::Deserialize;
use std::net::IpAddr;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// A commune's settings, checked.
#[derive(Debug)]
pub struct Settings {
    /// The file's text: the service's configuration is this text plus what the bundle adds.
    pub text: String,
    pub service: config::Settings,
    pub hostname: String,
    pub addresses: Vec<IpAddr>,
    pub douars: Vec<Douar>,
    pub staff: Vec<Staff>,
}

#[derive(Debug, Clone)]
pub struct Douar {
    pub name: String,
    pub households: u32,
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub login: String,
    pub name: String,
    pub role: Role,
}

#[derive(Deserialize)]
struct Extra {
    #[serde(rename = "box")]
    machine: Option<Spanned<BoxSection>>,
    #[serde(default)]
    douars: Vec<Spanned<DouarSection>>,
    #[serde(default)]
    staff: Vec<Spanned<StaffSection>>,
    // Provisioning writes these itself: a settings file must not carry them.
    server: Option<Spanned<toml::Value>>,
    tls: Option<Spanned<toml::Value>>,
    accounts: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BoxSection {
    hostname: String,
    #[serde(default)]
    addresses: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DouarSection {
    name: String,
    households: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffSection {
    login: String,
    name: String,
    role: String,
}

/// Reads and checks a settings file.
pub fn load(file: &Path) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
        file: file.to_owned(),
        source,
    })?;
    check(file, &text)
}

fn at(file: &Path, text: &str, span: Range<usize>, field: String, message: String) -> ConfigError {
    ConfigError::at(file, text, Some(span), field, message)
}

/// Checks settings text; `file` only names it in errors.
pub fn check(file: &Path, text: &str) -> Result<Settings, ConfigError> {
    let service = config::parse(file, text)?;
    let extra: Extra = serde_path_to_error_free(file, text)?;
    let err =
        |span: Range<usize>, field: String, message: String| at(file, text, span, field, message);

    for (name, value) in [
        ("server", &extra.server),
        ("tls", &extra.tls),
        ("accounts", &extra.accounts),
    ] {
        if let Some(v) = value {
            return Err(err(
                v.span(),
                name.into(),
                format!(
                    "[{name}] is written by baom-provision from [box] and [[staff]]; remove it from the settings"
                ),
            ));
        }
    }
    let machine = extra.machine.ok_or_else(|| {
        err(
            0..0,
            "box".into(),
            "missing: add [box] with the box's hostname (and its fixed LAN addresses)".into(),
        )
    })?;
    let span = machine.span();
    let machine = machine.into_inner();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if machine.hostname.len() > 253 || !machine.hostname.split('.').all(label_ok) {
        return Err(err(
            span,
            "box.hostname".into(),
            format!(
                "{:?}: use lowercase letters, digits and '-' (e.g. \"baom-taliouine\")",
                machine.hostname
            ),
        ));
    }
    let mut addresses = Vec::new();
    for (i, a) in machine.addresses.iter().enumerate() {
        let ip = a.parse::<IpAddr>().map_err(|_| {
            err(
                span.clone(),
                format!("box.addresses[{i}]"),
                format!("{a:?} is not an IP address such as \"192.168.1.10\""),
            )
        })?;
        addresses.push(ip);
    }

    let mut douars: Vec<Douar> = Vec::new();
    for (i, d) in extra.douars.iter().enumerate() {
        let (span, d) = (d.span(), d.get_ref());
        let name = d.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(err(
                span,
                format!("douars[{i}].name"),
                "give the douar's name (at most 80 characters)".into(),
            ));
        }
        if douars.iter().any(|o| o.name.eq_ignore_ascii_case(name)) {
            return Err(err(
                span,
                format!("douars[{i}].name"),
                format!("{name:?} is listed twice"),
            ));
        }
        douars.push(Douar {
            name: name.to_owned(),
            households: d.households,
        });
    }

    let mut staff: Vec<Staff> = Vec::new();
    for (i, s) in extra.staff.iter().enumerate() {
        let (span, s) = (s.span(), s.get_ref());
        let clean = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b);
        if s.login.is_empty() || s.login.len() > 32 || !s.login.bytes().all(clean) {
            return Err(err(
                span,
                format!("staff[{i}].login"),
                format!(
                    "{:?}: use 1 to 32 lowercase letters, digits, '.', '-' or '_'",
                    s.login
                ),
            ));
        }
        if staff.iter().any(|o| o.login == s.login) {
            return Err(err(
                span,
                format!("staff[{i}].login"),
                format!("{:?} is already used by another person", s.login),
            ));
        }
        let role = s
            .role
            .parse::<Role>()
            .map_err(|m| err(span.clone(), format!("staff[{i}].role"), m))?;
        if s.name.trim().is_empty() {
            return Err(err(
                span,
                format!("staff[{i}].name"),
                "give the person's name".into(),
            ));
        }
        staff.push(Staff {
            login: s.login.clone(),
            name: s.name.trim().to_owned(),
            role,
        });
    }
    if !staff.iter().any(|s| s.role == Role::Supervisor) {
        return Err(err(
            0..0,
            "staff".into(),
            "no supervisor: at least one person must be able to manage accounts".into(),
        ));
    }
    Ok(Settings {
        text: text.to_owned(),
        service,
        hostname: machine.hostname,
        addresses,
        douars,
        staff,
    })
}

/// Parses the provisioning sections with the same error shape as the service's parser.
fn serde_path_to_error_free(file: &Path, text: &str) -> Result<Extra, ConfigError> {
    toml::from_str::<Extra>(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        at(
            file,
            text,
            span,
            "(settings)".into(),
            e.message().to_owned(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const EXAMPLE: &str = include_str!("../example.toml");

    fn error(text: &str) -> String {
        match check(Path::new("commune.toml"), text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn with(from: &str, to: &str) -> String {
        assert!(
            EXAMPLE.contains(from),
            "example.toml no longer contains {from:?}"
        );
        EXAMPLE.replacen(from, to, 1)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines()
            .position(|l| l.contains(needle))
            .expect("needle")
            + 1
    }

    #[test]
    fn the_example_is_valid() {
        let s = check(Path::new("example.toml"), EXAMPLE).expect("valid");
        assert_eq!(
            (s.staff.len(), s.douars.len(), s.hostname.as_str()),
            (3, 2, "baom-taliouine")
        );
    }

    #[test]
    fn each_broken_setting_gets_a_precise_error() {
        // Wrong type.
        let text = with("households = 420", "households = \"many\"");
        let e = error(&text);
        assert!(
            e.starts_with(&format!("commune.toml:{}:", line_of(&text, "\"many\""))),
            "{e}"
        );
        // Duplicate letters (the service's own rule, on the settings' own line).
        let text = with("letter = \"B\"", "letter = \"A\"");
        assert!(error(&text).contains("services[1].letter"));
        // Unknown role.
        let text = with("role = \"display\"", "role = \"mayor\"");
        let e = error(&text);
        assert!(
            e.starts_with(&format!(
                "commune.toml:{}:",
                line_of(&text, "login = \"lobby\"") - 1
            )) && e.contains("staff[2].role")
                && e.contains("mayor"),
            "{e}"
        );
        // Bad script.
        let e = error(&with(
            "name_ar = \"جماعة تالوين\"",
            "name_ar = \"Taliouine\"",
        ));
        assert!(e.contains("commune.name_ar") && e.contains("Arabic"), "{e}");
        // Missing fields.
        let e = error(&with("name = \"Assaisse\"\n", ""));
        assert!(e.contains("name"), "{e}");
        let e = error(&with("[box]\nhostname = \"baom-taliouine\"\n", "[box]\n"));
        assert!(e.contains("hostname"), "{e}");
        assert!(error(&EXAMPLE.replace("[[desks]]", "[[desk]]")).contains("desk"));
    }

    #[test]
    fn provisioning_sections_are_checked_too() {
        assert!(
            error(&with(
                "hostname = \"baom-taliouine\"",
                "hostname = \"BAOM Taliouine\""
            ))
            .contains("box.hostname")
        );
        assert!(
            error(&with(
                "addresses = [\"192.168.1.10\"]",
                "addresses = [\"192.168.1.300\"]"
            ))
            .contains("box.addresses[0]")
        );
        assert!(
            error(&with("name = \"Assaisse\"", "name = \"Taliouine\"")).contains("douars[1].name")
        );
        assert!(
            error(&with("login = \"youssef\"", "login = \"amina\"")).contains("staff[1].login")
        );
        assert!(
            error(&with("role = \"supervisor\"", "role = \"officer\"")).contains("no supervisor")
        );
        assert!(
            error(&(EXAMPLE.to_owned() + "\n[server]\nlisten = \"0.0.0.0:443\"\n"))
                .contains("[server] is written by baom-provision")
        );
        let e = error(&with(
            "[box]\nhostname = \"baom-taliouine\"\naddresses = [\"192.168.1.10\"]\n",
            "",
        ));
        assert!(e.contains("box") && e.contains("missing"), "{e}");
    }
}
