//! The dossier's rules: what a person, a case, a referral and a consent may hold, and what may
//! happen to them. No storage here (that is `baom::dossiers`); every check a form or a file can
//! fail is a [`DossierError`] with a stable code and a sentence for the officer.
//!
//! Rules learnt from case-management systems (DESIGN.md): a referral is one record with its life
//! (sent → accepted / refused → done, or withdrawn); consent is a rule checked before saving, not
//! a field; follow-ups and overdue referrals are computed from dates, never typed.

pub mod case;
pub mod consent;
pub mod listing;
pub mod merge;
pub mod person;
pub mod retention;
pub mod search;

pub use case::{Body, CaseStatus, Outcome, ReferralState};
pub use consent::{Consent, ConsentMethod, Purpose};
pub use person::{BirthDate, PersonInput, Profile, Sex};

/// Why an input was refused. `code` is stable (tests and the API rely on it); the message says
/// what was wrong and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DossierError {
    pub code: &'static str,
    pub field: &'static str,
    pub message: String,
}

impl DossierError {
    pub fn new(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        DossierError {
            code,
            field,
            message: message.into(),
        }
    }
}

/// Longest free text (a note, a counter-referral's answer) kept in a dossier.
pub const MAX_NOTE_CHARS: usize = 4000;
/// Longest short text (a need, a body's name, a reason).
pub const MAX_SHORT_CHARS: usize = 200;

/// Checks a free text: length and no control characters other than line breaks and tabs.
pub fn check_text(
    field: &'static str,
    text: &str,
    max_chars: usize,
) -> Result<String, DossierError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(DossierError::new(
            "too_long",
            field,
            format!("{chars} characters; at most {max_chars} are kept"),
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DossierError::new(
            "invalid_text",
            field,
            format!("contains the control character U+{:04X}", c as u32),
        ));
    }
    Ok(text.replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(check_text("note", "  a\r\nb ", 10), Ok("a\nb".into()));
        assert_eq!(
            check_text("note", &"é".repeat(10), 10).map(|s| s.len()),
            Ok(20)
        );
        assert_eq!(
            check_text("note", &"é".repeat(11), 10).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            check_text("note", "a\u{7}b", 10).unwrap_err().code,
            "invalid_text"
        );
    }
}
