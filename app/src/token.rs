//! Ticket tokens: the opaque handle a visitor's ticket (and its QR code) carries instead of
//! anything personal. 128 random bits, hex-encoded; unguessable, so knowing one token reveals
//! no other ticket. (The receipts work will sign them so the box can check one offline.)

/// A new random token.
pub fn new() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `s` has the shape of a token, checked before any database look-up.
pub fn is_well_formed(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_well_formed_and_distinct() {
        let a = super::new().expect("random");
        let b = super::new().expect("random");
        assert!(super::is_well_formed(&a) && super::is_well_formed(&b));
        assert_ne!(a, b);
        assert!(!super::is_well_formed("../../etc/passwd"));
        assert!(!super::is_well_formed(&a.to_uppercase()));
    }
}
