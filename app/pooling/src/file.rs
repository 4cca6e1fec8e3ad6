//! A batch as a signed file:
//!
//! ```json
//! {"format": "baom-pool/1",
//!  "signature": {"algorithm": "ed25519", "key": "<public key, hex>", "value": "<signature, hex>"},
//!  "signed": { …the batch… }}
//! ```
//!
//! The signature covers the bytes of `signed` exactly as they stand in the file (they are kept
//! whole when read), so no re-encoding can make a signed file fail or an altered one pass. Whose
//! key it is (the commune's, in the province's registry) is the reader's question: [`open`]
//! says which key signed.

use crate::format::{Batch, FORMAT, hex};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// Why a file is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PoolError {
    #[error("not a pooling file, or cut short: {0}")]
    Unreadable(String),
    #[error("format {found:?}: this program reads {FORMAT}")]
    OtherFormat { found: String },
    #[error("it is not signed")]
    Unsigned,
    #[error("its signature is not an Ed25519 signature by a key: {0}")]
    BadSignatureField(String),
    #[error("its signature does not match its content: it was altered after the box signed it")]
    Altered,
    #[error("the batch does not hold together: {0}")]
    Invalid(String),
}

impl PoolError {
    /// A stable code, for pages, logs and the province's reports.
    pub fn code(&self) -> &'static str {
        match self {
            PoolError::Unreadable(_) => "unreadable",
            PoolError::OtherFormat { .. } => "other_format",
            PoolError::Unsigned => "unsigned",
            PoolError::BadSignatureField(_) => "bad_signature",
            PoolError::Altered => "altered",
            PoolError::Invalid(_) => "invalid_batch",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureField {
    algorithm: String,
    key: String,
    value: String,
}

#[derive(Serialize)]
struct Written<'a> {
    format: &'a str,
    signature: SignatureField,
    signed: &'a RawValue,
}

#[derive(Deserialize)]
struct Read {
    format: serde_json::Value,
    #[serde(default)]
    signature: Option<SignatureField>,
    signed: Option<Box<RawValue>>,
}

/// A file that was read and whose signature holds.
#[derive(Debug, Clone)]
pub struct Signed {
    pub batch: Batch,
    /// The public key that signed it, hex.
    pub key: String,
    /// SHA-256 of the whole file, hex: with the batch id, what makes a replay a replay.
    pub sha256: String,
}

/// The public key of `key`, hex (as the handover sheet and the registry write it).
pub fn public_key(key: &SigningKey) -> String {
    hex(key.verifying_key().as_bytes())
}

/// Reads a public key written as hex.
pub fn read_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes = unhex(text.trim()).ok_or("not hexadecimal")?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "an Ed25519 public key is 32 bytes (64 hexadecimal digits)")?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| e.to_string())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The file of `batch`, signed by `key`.
pub fn sign(batch: &Batch, key: &SigningKey) -> Vec<u8> {
    // A batch is strings, numbers and maps of strings: it always serialises.
    let signed = serde_json::to_string(batch).unwrap_or_default();
    let signature = key.sign(signed.as_bytes());
    let raw = RawValue::from_string(signed)
        .unwrap_or_else(|_| RawValue::from_string("null".to_owned()).expect("null is JSON"));
    let file = Written {
        format: FORMAT,
        signature: SignatureField {
            algorithm: "ed25519".into(),
            key: public_key(key),
            value: hex(&signature.to_bytes()),
        },
        signed: &raw,
    };
    let mut out = serde_json::to_vec_pretty(&file).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Reads a file: its format, its signature over the signed bytes, then the batch and its
/// checks (`Batch::check`).
pub fn open(bytes: &[u8]) -> Result<Signed, PoolError> {
    let read: Read =
        serde_json::from_slice(bytes).map_err(|e| PoolError::Unreadable(e.to_string()))?;
    match read.format.as_str() {
        Some(FORMAT) => {}
        _ => {
            return Err(PoolError::OtherFormat {
                found: read.format.to_string().trim_matches('"').to_owned(),
            });
        }
    }
    let (Some(sig), Some(signed)) = (read.signature, read.signed) else {
        return Err(PoolError::Unsigned);
    };
    if sig.algorithm != "ed25519" {
        return Err(PoolError::BadSignatureField(format!(
            "algorithm {:?}",
            sig.algorithm
        )));
    }
    let key = read_public_key(&sig.key).map_err(PoolError::BadSignatureField)?;
    let value: [u8; 64] = unhex(&sig.value)
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| PoolError::BadSignatureField("not 64 bytes of hexadecimal".into()))?;
    key.verify(signed.get().as_bytes(), &Signature::from_bytes(&value))
        .map_err(|_| PoolError::Altered)?;
    let batch: Batch =
        serde_json::from_str(signed.get()).map_err(|e| PoolError::Invalid(e.to_string()))?;
    batch.check().map_err(PoolError::Invalid)?;
    Ok(Signed {
        batch,
        key: hex(key.as_bytes()),
        sha256: hex(&Sha256::digest(bytes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Header;
    use baom_domain::figures::{Facts, Period, Scope, compute};

    pub(crate) fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    pub(crate) fn batch(id: &str) -> Batch {
        let today = jiff::civil::date(2026, 12, 7);
        let facts = Facts {
            douars: vec!["Tinfat".into()],
            douar_households: vec![("Tinfat".into(), 100)],
            households: (0..7)
                .map(|i| baom_domain::figures::census::Household {
                    douar: "Tinfat".into(),
                    size: 4,
                    abroad: 1 + i % 2,
                    internal: 0,
                    returnees: 0,
                    foreigners: 0,
                    countries: vec![],
                    source: baom_domain::figures::census::Source::Field,
                    noted_on: jiff::civil::date(2026, 3, 1),
                })
                .collect(),
            ..Facts::default()
        };
        let f = compute(Period::parse("2026", today).unwrap(), Scope::Office, &facts);
        Batch::from_figures(
            &f,
            &Header {
                batch: id,
                replaces: None,
                org_unit: "0631",
                commune: "Taliouine",
                made_at: "2026-12-07T08:00:00Z",
            },
        )
    }

    #[test]
    fn a_signed_file_reads_back_and_says_who_signed_it() {
        let b = batch("0631-2026-a1");
        assert_eq!(b.check(), Ok(()));
        let file = sign(&b, &key(1));
        let s = open(&file).unwrap();
        assert_eq!(s.batch, b);
        assert_eq!(s.key, public_key(&key(1)));
        assert_eq!(open(&file).unwrap().sha256, s.sha256);
        let households = b
            .data_values
            .iter()
            .find(|v| {
                v.data_element == "census.households_by_douar"
                    && v.category_option_combo == "Tinfat.count"
            })
            .unwrap();
        assert_eq!(households.value.as_deref(), Some("7"));
    }

    #[test]
    fn every_byte_flipped_is_refused_and_nothing_is_read_half() {
        let file = sign(&batch("0631-2026-a1"), &key(1));
        for i in (0..file.len()).step_by(61) {
            let mut bad = file.clone();
            bad[i] ^= 0x01;
            if let Ok(s) = open(&bad) {
                // Only a flip in the whitespace between members can leave the signed bytes
                // whole; then the batch is the same.
                assert_eq!(s.batch, batch("0631-2026-a1"), "byte {i}");
            }
        }
        for cut in [0, 1, file.len() / 3, file.len() - 3] {
            assert!(
                matches!(open(&file[..cut]), Err(PoolError::Unreadable(_))),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn another_format_an_unsigned_file_and_a_forged_signature_are_named() {
        let b = batch("0631-2026-a1");
        let text = String::from_utf8(sign(&b, &key(1))).unwrap();
        let other = text.replacen(
            "\"format\": \"baom-pool/1\"",
            "\"format\": \"baom-pool/2\"",
            1,
        );
        assert!(other != text, "the envelope names its format");
        assert_eq!(open(other.as_bytes()).unwrap_err().code(), "other_format");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let unsigned = serde_json::json!({"format": FORMAT, "signed": v["signed"]});
        assert_eq!(
            open(unsigned.to_string().as_bytes()).unwrap_err(),
            PoolError::Unsigned
        );
        // Signed again by another key, with the first key's name on it.
        let by_other = String::from_utf8(sign(&b, &key(2)))
            .unwrap()
            .replace(&public_key(&key(2)), &public_key(&key(1)));
        assert_eq!(open(by_other.as_bytes()).unwrap_err(), PoolError::Altered);
        // A value changed, re-serialised: altered.
        let changed = text.replacen("\"value\":\"7\"", "\"value\":\"70\"", 1);
        assert!(changed != text, "the households' count is in the file");
        assert_eq!(open(changed.as_bytes()).unwrap_err(), PoolError::Altered);
    }

    #[test]
    fn a_batch_that_does_not_hold_together_is_refused_even_signed() {
        let good = batch("0631-2026-a1");
        let mut cases: Vec<(&str, Batch)> = Vec::new();
        let mut b = good.clone();
        b.row_count += 1;
        cases.push(("row count", b));
        let mut b = good.clone();
        b.period = "2026-13".into();
        cases.push(("period", b));
        let mut b = good.clone();
        b.data_values[0].value = Some("-3".into());
        cases.push(("negative", b));
        let mut b = good.clone();
        b.data_values[0].value = None;
        cases.push(("neither", b));
        let mut b = good.clone();
        b.data_values[1].org_unit = "9999".into();
        cases.push(("other commune", b));
        let mut b = good.clone();
        b.codes_hash = "sha256:00".into();
        cases.push(("codes", b));
        let mut b = good.clone();
        b.replaces = Some("9999-2026-a1".into());
        cases.push(("replaces another commune's", b));
        let mut b = good.clone();
        let dup = b.data_values[0].clone();
        b.data_values.push(dup);
        b.row_count += 1;
        cases.push(("twice", b));
        // A box of the earlier list names it, and may hold only its figures.
        let earlier = crate::format::hash_of(crate::format::LISTS[0]);
        let mut b = good.clone();
        b.codes_hash = earlier.clone();
        b.data_values
            .retain(|v| !v.data_element.starts_with("census."));
        b.data_values.push(crate::format::DataValue {
            data_element: "diaspora.members".into(),
            ..good.data_values[0].clone()
        });
        b.row_count = b.data_values.len();
        cases.push(("a later figure under the earlier list", b));
        for (what, b) in cases {
            let err = open(&sign(&b, &key(1))).unwrap_err();
            assert_eq!(err.code(), "invalid_batch", "{what}: {err}");
        }
    }

    #[test]
    fn a_batch_of_a_box_not_yet_updated_is_read_by_the_list_it_names() {
        let good = batch("0631-2026-a1");
        for &(code, _, _) in crate::format::FIGURES {
            assert!(
                good.data_values.iter().any(|v| v.data_element == code),
                "a batch of today's list holds {code}"
            );
        }
        let mut b = good.clone();
        b.codes_hash = crate::format::hash_of(crate::format::LISTS[0]);
        b.data_values.retain(|v| {
            crate::format::LISTS[0]
                .iter()
                .any(|(code, _, _)| *code == v.data_element)
        });
        b.row_count = b.data_values.len();
        assert!(b.row_count > 0, "the census is in both lists");
        let read = open(&sign(&b, &key(1))).expect("an earlier list's batch");
        assert_eq!(read.batch.codes_hash, b.codes_hash);
        assert_ne!(
            b.codes_hash,
            crate::format::codes_hash(),
            "two lists, two hashes"
        );
    }
}
