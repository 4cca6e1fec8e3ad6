//! Consent as a rule (law 09-08): what a person agreed to, when and how, and until when.
//! Keeping a dossier at all, keeping sensitive fields (nationality) and sharing the case with a
//! body each need their own consent, checked before saving. A supervisor may override a missing
//! consent; the override is written to the audit log by the caller.

use super::DossierError;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Keeping a dossier: names, contact, cases.
    Dossier,
    /// Sensitive fields: nationality (and the documents that show it).
    Sensitive,
    /// Sending the case to a body (CNSS, UNHCR, an association…).
    Referral,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Dossier, Purpose::Sensitive, Purpose::Referral];
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Dossier => "dossier",
            Purpose::Sensitive => "sensitive",
            Purpose::Referral => "referral",
        }
    }
    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// Said aloud at the desk (most visitors cannot read): the officer records it.
    Oral,
    /// A signed or thumb-printed form (scanned into the dossier).
    Written,
}

impl ConsentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::Oral => "oral",
            ConsentMethod::Written => "written",
        }
    }
    pub fn parse(s: &str) -> Option<ConsentMethod> {
        match s {
            "oral" => Some(ConsentMethod::Oral),
            "written" => Some(ConsentMethod::Written),
            _ => None,
        }
    }
}

/// How long a consent holds unless the officer sets another end: two years, after which it is
/// asked again at the next visit.
pub const CONSENT_YEARS: i16 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub purpose: Purpose,
    pub given_on: Date,
    pub method: ConsentMethod,
    pub expires_on: Date,
    pub withdrawn_on: Option<Date>,
}

impl Consent {
    /// A consent given `given_on`, lasting [`CONSENT_YEARS`].
    pub fn given(purpose: Purpose, method: ConsentMethod, given_on: Date) -> Consent {
        Consent {
            purpose,
            given_on,
            method,
            expires_on: given_on
                .checked_add(i64::from(CONSENT_YEARS).years())
                .unwrap_or(given_on),
            withdrawn_on: None,
        }
    }

    pub fn holds_on(&self, day: Date) -> bool {
        self.given_on <= day && day < self.expires_on && self.withdrawn_on.is_none_or(|w| day < w)
    }
}

/// Is there a consent for `purpose` on `today`? The error names what is missing.
pub fn require(consents: &[Consent], purpose: Purpose, today: Date) -> Result<(), DossierError> {
    if consents
        .iter()
        .any(|c| c.purpose == purpose && c.holds_on(today))
    {
        return Ok(());
    }
    let expired = consents.iter().any(|c| c.purpose == purpose);
    Err(DossierError::new(
        "consent_required",
        "consent",
        if expired {
            format!(
                "the person's consent for {} has expired or was withdrawn: ask again and record it",
                purpose.as_str()
            )
        } else {
            format!(
                "no consent for {} is recorded: ask the person and record it first",
                purpose.as_str()
            )
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_consent_holds_for_its_purpose_until_it_expires_or_is_withdrawn() {
        let today = date(2026, 11, 24);
        let c = Consent::given(Purpose::Referral, ConsentMethod::Oral, today);
        assert_eq!(c.expires_on, date(2028, 11, 24));
        assert!(require(std::slice::from_ref(&c), Purpose::Referral, today).is_ok());
        assert_eq!(
            require(std::slice::from_ref(&c), Purpose::Sensitive, today)
                .unwrap_err()
                .code,
            "consent_required"
        );
        assert!(
            require(
                std::slice::from_ref(&c),
                Purpose::Referral,
                date(2028, 11, 24)
            )
            .is_err()
        );
        let mut w = c.clone();
        w.withdrawn_on = Some(date(2027, 1, 1));
        assert!(w.holds_on(date(2026, 12, 31)));
        let e = require(&[w], Purpose::Referral, date(2027, 1, 1)).unwrap_err();
        assert!(e.message.contains("expired or was withdrawn"));
        assert!(
            require(&[], Purpose::Dossier, today)
                .unwrap_err()
                .message
                .contains("no consent")
        );
    }
}
