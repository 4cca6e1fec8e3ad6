//! Ticket tokens: the opaque handle a visitor's ticket (and its QR code) carries instead of
//! anything personal. This module is the one owner of the format.
//!
//! A token is 16 bytes in RFC 4648 base32 (uppercase, no padding): 26 characters, all in the
//! QR code's alphanumeric set, so a ticket's QR code is version 2 (25×25 modules). The bytes are
//! 8 random bytes and the first 8 bytes of HMAC-SHA-256(box secret, "baom-ticket-v1" ‖ random).
//! The box can therefore tell a token it issued from a forged or altered one before any database
//! look-up, and knowing one token reveals no other. The secret (32 random bytes) is created on
//! first start in the data directory (`token.key`, mode 0600) and never leaves the box.
//!
//! Tokens issued before signing (32 lowercase hex digits) no longer verify: they belonged to
//! tickets of earlier days, which have expired anyway.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What a token is for: a ticket's token never checks in an appointment, nor the reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Ticket,
    Appointment,
}

impl Purpose {
    fn domain(self) -> &'static [u8] {
        match self {
            Purpose::Ticket => b"baom-ticket-v1",
            Purpose::Appointment => b"baom-appointment-v1",
        }
    }
}
const NONCE: usize = 8;
const TAG: usize = 8;
/// Characters in a token.
pub const LEN: usize = 26;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("not a ticket token: a token is {LEN} letters A to Z and digits 2 to 7")]
    Malformed,
    #[error("this token was not issued by this office, or it was altered")]
    Forged,
    #[error("the token secret {path}: {message}")]
    Key { path: PathBuf, message: String },
    #[error("no randomness for a token: {0}")]
    Random(getrandom::Error),
}

/// The box's secret for signing tokens.
#[derive(Clone)]
pub struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    pub fn from_bytes(bytes: [u8; 32]) -> TokenKey {
        TokenKey(bytes)
    }

    /// Reads `dir/token.key`, creating it (32 random bytes, mode 0600) on first start. A key
    /// file of the wrong size is refused, never replaced: replacing it would void every ticket.
    /// The secret at `path` (the data directory's `token.key`), made on first start.
    pub fn load_or_create(path: &Path) -> Result<TokenKey, TokenError> {
        let path = path.to_owned();
        let key_error = |message: String| TokenError::Key {
            path: path.clone(),
            message,
        };
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    key_error(format!(
                        "holds {} bytes, a key is 32: restore it from a backup, or delete it to void every ticket issued so far",
                        bytes.len()
                    ))
                })?;
                let mode = std::fs::metadata(&path)
                    .map_err(|e| key_error(e.to_string()))?
                    .permissions()
                    .mode();
                if mode & 0o077 != 0 {
                    tracing::warn!(path = %path.display(), "the token secret was readable by others; now 0600");
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                        .map_err(|e| key_error(e.to_string()))?;
                }
                Ok(TokenKey(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(TokenError::Random)?;
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(|e| key_error(format!("cannot create: {e}")))?;
                file.write_all(&key)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| key_error(format!("cannot write: {e}")))?;
                tracing::info!(path = %path.display(), "created the box's token secret");
                Ok(TokenKey(key))
            }
            Err(e) => Err(key_error(format!("cannot read: {e}"))),
        }
    }

    fn tag(&self, purpose: Purpose, nonce: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(purpose.domain());
        mac.update(nonce);
        mac
    }

    /// A new signed ticket token.
    pub fn issue(&self) -> Result<String, TokenError> {
        self.issue_for(Purpose::Ticket)
    }

    /// Checks a ticket token as a person or a barcode reader typed it (letter case does not
    /// matter) and returns its canonical form, the one stored with the ticket.
    pub fn verify(&self, token: &str) -> Result<String, TokenError> {
        self.verify_for(Purpose::Ticket, token)
    }

    /// A new signed token for `purpose`.
    pub fn issue_for(&self, purpose: Purpose) -> Result<String, TokenError> {
        let mut bytes = [0u8; NONCE + TAG];
        getrandom::fill(&mut bytes[..NONCE]).map_err(TokenError::Random)?;
        let tag = self.tag(purpose, &bytes[..NONCE]).finalize().into_bytes();
        bytes[NONCE..].copy_from_slice(&tag[..TAG]);
        Ok(encode(&bytes))
    }

    /// [`TokenKey::verify`] for a token of `purpose`.
    pub fn verify_for(&self, purpose: Purpose, token: &str) -> Result<String, TokenError> {
        let canonical = token.to_ascii_uppercase();
        let bytes = decode(&canonical).ok_or(TokenError::Malformed)?;
        self.tag(purpose, &bytes[..NONCE])
            .verify_truncated_left(&bytes[NONCE..])
            .map_err(|_| TokenError::Forged)?;
        Ok(canonical)
    }

    /// The eight digits a visitor can type instead of scanning an appointment's token: derived
    /// from the token by the box's secret, so they say nothing of the person and cannot be
    /// made up from another appointment's.
    pub fn short_code(&self, token: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(b"baom-appointment-code-v1");
        mac.update(token.as_bytes());
        let tag = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&tag[..8]);
        format!("{:08}", u64::from_be_bytes(first) % 100_000_000)
    }
}

fn encode(bytes: &[u8; NONCE + TAG]) -> String {
    let mut out = String::with_capacity(LEN);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in bytes {
        acc = (acc << 8) | *b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Strict: exactly 26 characters of the alphabet, and the 2 unused bits at the end are zero,
/// so each token has one spelling.
fn decode(s: &str) -> Option<[u8; NONCE + TAG]> {
    if s.len() != LEN {
        return None;
    }
    let mut out = [0u8; NONCE + TAG];
    let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(n)? = (acc >> bits) as u8;
            n += 1;
        }
        acc &= (1 << bits) - 1;
    }
    (n == out.len() && acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::from_bytes([7; 32])
    }

    #[test]
    fn tokens_are_short_distinct_and_verify() {
        let a = key().issue().expect("random");
        let b = key().issue().expect("random");
        assert_eq!(a.len(), LEN);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        assert_ne!(a, b);
        assert_eq!(key().verify(&a).expect("valid"), a);
        assert_eq!(
            key().verify(&a.to_lowercase()).expect("case-blind"),
            a,
            "a barcode reader with Caps Lock on still works"
        );
    }

    #[test]
    fn altered_forged_and_malformed_tokens_are_refused() {
        let t = key().issue().expect("random");
        for i in 0..LEN - 1 {
            let mut altered = t.clone().into_bytes();
            altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(altered).expect("ascii");
            assert!(
                matches!(key().verify(&altered), Err(TokenError::Forged)),
                "{altered}"
            );
        }
        let appointment = key().issue_for(Purpose::Appointment).expect("random");
        assert!(matches!(
            key().verify(&appointment),
            Err(TokenError::Forged)
        ));
        assert!(matches!(
            key().verify_for(Purpose::Appointment, &t),
            Err(TokenError::Forged)
        ));
        assert_eq!(key().short_code(&appointment).len(), 8);
        let other = TokenKey::from_bytes([8; 32]);
        assert!(matches!(other.verify(&t), Err(TokenError::Forged)));
        for bad in [
            "",
            "0123456789abcdef0123456789abcdef",
            "../../etc/passwd",
            "AAAAAAAAAAAAAAAAAAAAAAAAA1",
            "AAAAAAAAAAAAAAAAAAAAAAAAAB",
            "ÉAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(
                matches!(key().verify(bad), Err(TokenError::Malformed)),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_secret_is_created_once_with_mode_0600_and_never_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let k1 = TokenKey::load_or_create(&dir.path().join("token.key")).expect("created");
        let path = dir.path().join("token.key");
        let mode = std::fs::metadata(&path).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let t = k1.issue().expect("token");
        let k2 = TokenKey::load_or_create(&dir.path().join("token.key")).expect("read back");
        assert_eq!(k2.verify(&t).expect("same key"), t);
        std::fs::write(&path, b"short").expect("damage");
        let e = TokenKey::load_or_create(&dir.path().join("token.key")).expect_err("refused");
        assert!(e.to_string().contains("holds 5 bytes"), "{e}");
        assert_eq!(std::fs::read(&path).expect("kept"), b"short");
    }
}
