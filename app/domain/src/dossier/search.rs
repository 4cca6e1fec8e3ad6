//! What an officer typed in the people search: a ticket number, a phone number or a name. The
//! search box is one field (officers type what they have), so the service asks here which it is
//! before it looks in the right place.

use crate::queue::TicketNumber;

/// The search box's text, told apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchText {
    /// Nothing to look for.
    Empty,
    /// A ticket number such as `A-001` (today's ticket with that number, if any).
    TicketNumber(TicketNumber),
    /// Digits (spaces, dots, dashes and a leading `+` allowed), at least six of them, and no
    /// letter: a phone number, to be normalised by `person::normalise_phone`.
    Phone(String),
    /// Anything else: a name, in any script and spelling.
    Name(String),
}

/// Tells what `text` is. Letter case and surrounding spaces do not matter for a ticket number.
pub fn classify(text: &str) -> SearchText {
    let text = text.trim();
    if text.is_empty() {
        return SearchText::Empty;
    }
    if let Ok(number) = text.to_ascii_uppercase().parse::<TicketNumber>() {
        return SearchText::TicketNumber(number);
    }
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
    if digits >= 6 && !text.chars().any(char::is_alphabetic) {
        return SearchText::Phone(text.to_owned());
    }
    SearchText::Name(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_phones_and_names_are_told_apart() {
        assert_eq!(classify("  "), SearchText::Empty);
        assert_eq!(
            classify("a-007"),
            SearchText::TicketNumber("A-007".parse().expect("number"))
        );
        assert_eq!(
            classify("06 12 34 56 78"),
            SearchText::Phone("06 12 34 56 78".into())
        );
        assert_eq!(
            classify("+212612345678"),
            SearchText::Phone("+212612345678".into())
        );
        assert_eq!(
            classify("Ait Ouahmane"),
            SearchText::Name("Ait Ouahmane".into())
        );
        assert_eq!(classify("محمد"), SearchText::Name("محمد".into()));
        // Too few digits for a phone, or letters among them: a name (it will find nobody).
        assert_eq!(classify("12345"), SearchText::Name("12345".into()));
        assert_eq!(classify("A12345678"), SearchText::Name("A12345678".into()));
    }
}
