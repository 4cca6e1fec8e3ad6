//! Staff passwords: argon2id hashes (the crate's default parameters) and one-time passwords.

use crate::KeyError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub fn hash_password(password: &str) -> Result<String, KeyError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| KeyError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| KeyError::Hashing(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| KeyError::Hashing(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A valid hash of a random password nobody knows, to spend the same time on an unknown login.
pub fn unknowable_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let unknowable = new_one_time_password().unwrap_or_else(|_| "unknowable".into());
        hash_password(&unknowable).unwrap_or_default()
    })
}

/// A one-time password easy to read aloud and type: four groups of four from an alphabet
/// without look-alikes (no 0/O, 1/l/I).
pub fn new_one_time_password() -> Result<String, KeyError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsE", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", unknowable_hash()));
        assert!(unknowable_hash().starts_with("$argon2id$"));
        let otp = new_one_time_password().expect("otp");
        assert_eq!(otp.len(), 19);
    }
}
