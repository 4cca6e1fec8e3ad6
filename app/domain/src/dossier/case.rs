//! A case (one need of one person, usually following a procedure of the reference) and its
//! referrals to the bodies that handle the need.
//!
//! A referral's life: `sent` → `accepted` or `refused` (with a reason); `accepted` → `done` (the
//! counter-referral: the body's answer noted back on the case); `sent` or `accepted` →
//! `withdrawn`. Nothing else: a refused or done referral is history, a new one is sent instead.

use super::DossierError;
use crate::reference::Procedure;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The bodies a case is referred to (DOMAIN.md), as the reference of procedures names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    Cnss,
    CivilRegistry,
    Anapec,
    Cri,
    Unhcr,
    Association,
    Consulate,
    Court,
    Health,
    School,
    Commune,
    Other,
}

impl Body {
    pub const ALL: [Body; 12] = [
        Body::Cnss,
        Body::CivilRegistry,
        Body::Anapec,
        Body::Cri,
        Body::Unhcr,
        Body::Association,
        Body::Consulate,
        Body::Court,
        Body::Health,
        Body::School,
        Body::Commune,
        Body::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Body::Cnss => "cnss",
            Body::CivilRegistry => "civil_registry",
            Body::Anapec => "anapec",
            Body::Cri => "cri",
            Body::Unhcr => "unhcr",
            Body::Association => "association",
            Body::Consulate => "consulate",
            Body::Court => "court",
            Body::Health => "health",
            Body::School => "school",
            Body::Commune => "commune",
            Body::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Result<Body, DossierError> {
        Body::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| {
                DossierError::new(
                    "invalid_field",
                    "body",
                    format!(
                        "{s:?} is not a body: {}",
                        Body::ALL.map(Body::as_str).join(", ")
                    ),
                )
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Closed,
}

/// How a case ended, for the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The need was met.
    Resolved,
    /// Handed over to a body that took it on.
    Oriented,
    /// The person gave up or could not be reached.
    Abandoned,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Resolved, Outcome::Oriented, Outcome::Abandoned];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Oriented => "oriented",
            Outcome::Abandoned => "abandoned",
        }
    }
    pub fn parse(s: &str) -> Result<Outcome, DossierError> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                DossierError::new(
                    "invalid_field",
                    "outcome",
                    "choose resolved, oriented or abandoned",
                )
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralState {
    Sent,
    Accepted,
    Refused,
    Done,
    Withdrawn,
}

impl ReferralState {
    pub const ALL: [ReferralState; 5] = [
        ReferralState::Sent,
        ReferralState::Accepted,
        ReferralState::Refused,
        ReferralState::Done,
        ReferralState::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralState::Sent => "sent",
            ReferralState::Accepted => "accepted",
            ReferralState::Refused => "refused",
            ReferralState::Done => "done",
            ReferralState::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<ReferralState> {
        ReferralState::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Still waiting on the body.
    pub fn is_pending(self) -> bool {
        matches!(self, ReferralState::Sent | ReferralState::Accepted)
    }

    /// The next state, if this change is allowed. A refusal needs a reason; so does a done
    /// referral (the counter-referral is the body's answer).
    pub fn advance(self, to: ReferralState, note: &str) -> Result<ReferralState, DossierError> {
        use ReferralState::*;
        let allowed = matches!(
            (self, to),
            (Sent, Accepted)
                | (Sent, Refused)
                | (Sent, Withdrawn)
                | (Accepted, Done)
                | (Accepted, Withdrawn)
        );
        if !allowed {
            return Err(DossierError::new(
                "invalid_transition",
                "state",
                format!("a referral {} cannot become {}", self.as_str(), to.as_str()),
            ));
        }
        if matches!(to, Refused | Done) && note.trim().is_empty() {
            return Err(DossierError::new(
                "missing_field",
                "note",
                match to {
                    Refused => "say why the body refused",
                    _ => "note the body's answer (the counter-referral)",
                },
            ));
        }
        Ok(to)
    }
}

/// When a pending referral is overdue: its body's typical delay after it was sent (30 days when
/// the procedure names none).
pub fn referral_due(sent_on: Date, typical_delay_days: Option<u16>) -> Date {
    let days = i64::from(typical_delay_days.unwrap_or(30));
    sent_on.checked_add(days.days()).unwrap_or(sent_on)
}

/// A follow-up date must be today or later (a past follow-up is a mistake, not a plan), and
/// within two years.
pub fn check_follow_up(on: Date, today: Date) -> Result<Date, DossierError> {
    let latest = today.checked_add(2.years()).unwrap_or(today);
    if on < today || on > latest {
        return Err(DossierError::new(
            "invalid_date",
            "follow_up",
            format!("{on} is not between today ({today}) and {latest}"),
        ));
    }
    Ok(on)
}

/// Parses a calendar date typed as `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, text: &str) -> Result<Date, DossierError> {
    text.trim().parse::<Date>().map_err(|_| {
        DossierError::new(
            "invalid_date",
            field,
            format!("{text:?} is not a date of the calendar (YYYY-MM-DD)"),
        )
    })
}

/// A step ticked on a case must be a step of the procedure it follows (at the version the case
/// began with); a case without a procedure has no steps.
pub fn check_step(procedure: Option<&Procedure>, step: &str) -> Result<(), DossierError> {
    match procedure.and_then(|p| p.step(step)) {
        Some(_) => Ok(()),
        None => Err(DossierError::new(
            "unknown_step",
            "step",
            format!("{step:?} is not a step of this case's procedure"),
        )),
    }
}

/// A document recorded as received must be one of the procedure's documents.
pub fn check_document(procedure: Option<&Procedure>, document: &str) -> Result<(), DossierError> {
    match procedure.and_then(|p| p.document(document)) {
        Some(_) => Ok(()),
        None => Err(DossierError::new(
            "unknown_document",
            "document",
            format!("{document:?} is not a document of this case's procedure"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralState::*;
    use jiff::civil::date;

    #[test]
    fn a_referral_lives_its_life_and_no_other() {
        assert_eq!(Sent.advance(Accepted, ""), Ok(Accepted));
        assert_eq!(Accepted.advance(Done, "pension granted"), Ok(Done));
        assert_eq!(Sent.advance(Withdrawn, ""), Ok(Withdrawn));
        assert_eq!(
            Sent.advance(Refused, "no").map(|s| s.as_str()),
            Ok("refused")
        );
        assert_eq!(
            Sent.advance(Refused, " ").unwrap_err().code,
            "missing_field"
        );
        assert_eq!(
            Accepted.advance(Done, "").unwrap_err().code,
            "missing_field"
        );
        for (from, to) in [
            (Sent, Done),
            (Refused, Accepted),
            (Done, Withdrawn),
            (Withdrawn, Sent),
            (Accepted, Refused),
            (Sent, Sent),
        ] {
            assert_eq!(
                from.advance(to, "x").unwrap_err().code,
                "invalid_transition"
            );
        }
        assert!(Sent.is_pending() && Accepted.is_pending() && !Done.is_pending());
    }

    #[test]
    fn dates_are_computed_and_checked() {
        let today = date(2026, 11, 24);
        assert_eq!(referral_due(today, None), date(2026, 12, 24));
        assert_eq!(referral_due(today, Some(90)), date(2027, 2, 22));
        assert!(check_follow_up(today, today).is_ok());
        assert!(check_follow_up(date(2026, 11, 23), today).is_err());
        assert!(check_follow_up(date(2029, 1, 1), today).is_err());
        assert_eq!(
            parse_date("follow_up", "2026-02-30").unwrap_err().code,
            "invalid_date"
        );
        assert_eq!(Body::parse("cnss"), Ok(Body::Cnss));
        assert_eq!(Body::parse("nasa").unwrap_err().code, "invalid_field");
    }

    #[test]
    fn steps_and_documents_belong_to_the_followed_procedure() {
        let p = procedure_of_birth();
        assert!(check_step(Some(&p), "declare").is_ok());
        assert_eq!(
            check_step(Some(&p), "pay").unwrap_err().code,
            "unknown_step"
        );
        assert_eq!(
            check_step(None, "declare").unwrap_err().code,
            "unknown_step"
        );
        assert!(check_document(Some(&p), "birth-notice").is_ok());
        assert_eq!(
            check_document(Some(&p), "passport").unwrap_err().code,
            "unknown_document"
        );
    }

    fn procedure_of_birth() -> Procedure {
        use crate::catalogue::Names;
        let names = |s: &str| Names {
            ar: format!("{s} ar"),
            zgh: format!("{s} zgh"),
            fr: format!("{s} fr"),
            en: format!("{s} en"),
        };
        Procedure {
            id: "birth".into(),
            to_be_checked: true,
            body: Body::CivilRegistry,
            typical_delay_days: 30,
            profiles: vec![],
            names: names("Birth"),
            refer_to: names("Registry"),
            steps: vec![crate::reference::Step {
                id: "declare".into(),
                names: names("Declare"),
            }],
            documents: vec![crate::catalogue::Document {
                id: "birth-notice".into(),
                names: names("Notice"),
            }],
        }
    }
}
