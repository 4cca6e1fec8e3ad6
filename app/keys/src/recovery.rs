//! The recovery key as printed on the handover sheet: 20 random bytes, shown as 32 base32
//! letters and digits in eight groups of four.

use crate::{KeyError, random};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryKey([u8; 20]);

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl RecoveryKey {
    pub(crate) fn generate() -> Result<RecoveryKey, KeyError> {
        Ok(RecoveryKey(random()?))
    }

    /// Eight groups of four, e.g. `K7QX-…`.
    pub fn display(&self) -> String {
        let mut letters = String::with_capacity(32);
        let (mut acc, mut bits) = (0u64, 0u32);
        for b in self.0 {
            acc = (acc << 8) | u64::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                letters.push(BASE32[((acc >> bits) & 31) as usize] as char);
            }
        }
        letters
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads a typed recovery key: case, dashes and spaces do not matter; 0/1/8 are read as the
    /// O/I/B they are often mistaken for.
    pub fn parse(text: &str) -> Result<RecoveryKey, KeyError> {
        // The error never repeats what was typed: it may be most of the key.
        let bad = || KeyError::MalformedRecoveryKey;
        let letters: Vec<u8> = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t' | '\n' | '\r'))
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                c => c,
            })
            .map(|c| {
                BASE32
                    .iter()
                    .position(|a| char::from(*a) == c)
                    .map(|v| v as u8)
            })
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        if letters.len() != 32 {
            return Err(bad());
        }
        let mut out = [0u8; 20];
        let (mut acc, mut bits, mut n) = (0u64, 0u32, 0usize);
        for v in letters {
            acc = (acc << 5) | u64::from(v);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out[n] = (acc >> bits) as u8;
                n += 1;
            }
        }
        Ok(RecoveryKey(out))
    }

    /// The key that wraps the data key for the recovery holder.
    pub(crate) fn kek(&self) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = [0u8; 32];
        let _ = hk.expand(b"baom recovery v1", &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_keys_read_back_however_they_are_typed() {
        let key = RecoveryKey::generate().expect("key");
        let shown = key.display();
        assert_eq!(shown.len(), 39);
        assert_eq!(RecoveryKey::parse(&shown).expect("parse").0, key.0);
        let sloppy = shown.to_lowercase().replace('-', " ");
        assert_eq!(RecoveryKey::parse(&sloppy).expect("parse").0, key.0);
        assert!(RecoveryKey::parse("ABCD").is_err());
        assert!(RecoveryKey::parse(&format!("{shown}A")).is_err());
        assert!(RecoveryKey::parse("!!!!-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA").is_err());
    }
}
