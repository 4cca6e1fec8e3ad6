//! The data key and the keys derived from it (HKDF-SHA-256, one label per purpose).

use crate::{KeyError, random};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The data key. Wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey(pub(crate) [u8; 32]);

impl DataKey {
    pub(crate) fn generate() -> Result<DataKey, KeyError> {
        Ok(DataKey(random()?))
    }

    /// A key for one purpose, wiped when dropped.
    fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is always a valid HKDF-SHA-256 output length.
        let _ = hk.expand(purpose.as_bytes(), out.as_mut());
        out
    }

    /// The SQL that opens `dossiers.db` with its raw key (`PRAGMA key = "x'…'";`), wiped from
    /// memory when dropped.
    pub fn sqlcipher_pragma(&self) -> Zeroizing<String> {
        let key = self.derive("baom dossiers.db v1");
        let mut hex = Zeroizing::new(String::with_capacity(64));
        for b in key.iter() {
            hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        let mut sql = Zeroizing::new(String::with_capacity(80));
        sql.push_str("PRAGMA key = \"x'");
        sql.push_str(&hex);
        sql.push_str("'\";");
        sql
    }

    /// The key that encrypts backups.
    pub fn backup_key(&self) -> Zeroizing<[u8; 32]> {
        self.derive("baom backup v1")
    }

    /// The key of the audit log's chain (an HMAC): nobody without the data key can make a chain
    /// that verifies.
    pub fn audit_key(&self) -> Zeroizing<[u8; 32]> {
        self.derive("baom audit v1")
    }

    /// The secret half of the key pair scans are sealed to.
    fn scan_secret(&self) -> crypto_box::SecretKey {
        crypto_box::SecretKey::from_bytes(*self.derive("baom scans x25519 v1"))
    }
}

/// The public half of the scans' key pair, kept in clear: anyone may seal, only the data key
/// opens.
#[derive(Clone)]
pub struct SealingKey(crypto_box::PublicKey);

impl SealingKey {
    /// The stored public key's 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<SealingKey, KeyError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Damaged)?;
        Ok(SealingKey(crypto_box::PublicKey::from_bytes(bytes)))
    }

    pub fn of(key: &DataKey) -> SealingKey {
        SealingKey(key.scan_secret().public_key())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    /// Seals bytes (a scan): needs no data key.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.0
            .seal(&mut crypto_box::aead::OsRng, plain)
            .map_err(|_| KeyError::Random("sealing failed".into()))
    }
}

impl DataKey {
    /// Opens bytes sealed to this key's scan key pair.
    pub fn unseal(&self, sealed: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.scan_secret()
            .unseal(sealed)
            .map_err(|_| KeyError::Damaged)
    }
}
