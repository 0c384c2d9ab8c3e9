//! Sealing and opening secrets with XChaCha20-Poly1305 (RustCrypto `chacha20poly1305`).
//!
//! Envelope encryption: each record has a random data key of its own; the record's text is
//! sealed with it, and the data key is kept *wrapped* (sealed) by a master key of a known
//! version. Rotating the master key re-wraps the data keys and leaves the records untouched.
//!
//! Every seal carries associated data that names where it belongs: the table, the column, the
//! row id and the organization, and for a wrapped key also the master key's version. A
//! ciphertext copied to another row, another organization or another column, or a key version
//! changed in the database, no longer opens. A sealed value is `base64(nonce ‖ ciphertext)`
//! with a fresh 24-byte random nonce (XChaCha's nonce is large enough to pick at random).
//!
//! Secrets (keys, plaintext) live in `Zeroizing` buffers, wiped when dropped.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// A 256-bit key, wiped from memory when dropped.
pub type SecretKey = Zeroizing<[u8; KEY_LEN]>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Wrong key, altered ciphertext, or a ciphertext moved to another row.
    #[error("the sealed value does not open (wrong key, altered or moved)")]
    Open,
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("no master key of version {0} is loaded")]
    MissingKey(i32),
}

/// Where a sealed value belongs; its associated data.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row_id: &'a str,
    pub org_id: &'a str,
}

impl Binding<'_> {
    /// Associated data of the record's own ciphertext.
    pub fn aad(&self) -> Vec<u8> {
        aad(&[
            "likeperson/1",
            self.table,
            self.column,
            self.row_id,
            self.org_id,
        ])
    }
    /// Associated data of the record's wrapped data key: also bound to the master key version.
    pub fn wrap_aad(&self, key_version: i32) -> Vec<u8> {
        aad(&[
            "likeperson/1/key",
            self.table,
            self.column,
            self.row_id,
            self.org_id,
            &key_version.to_string(),
        ])
    }
}

/// Length-prefixed parts, so that no two different bindings give the same bytes.
fn aad(parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&(p.len() as u32).to_be_bytes());
        out.extend_from_slice(p.as_bytes());
    }
    out
}

/// A fresh random key.
pub fn new_key() -> SecretKey {
    let mut k = Zeroizing::new([0u8; KEY_LEN]);
    OsRng.fill_bytes(&mut *k);
    k
}

/// Seals `plaintext` under `key` with the associated data `aad`.
pub fn seal(key: &[u8; KEY_LEN], plaintext: &[u8], aad: &[u8]) -> String {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        // Encryption only fails for messages beyond 256 GiB.
        .expect("XChaCha20-Poly1305 encryption of a small message");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    B64.encode(out)
}

/// Opens a value sealed by `seal` with the same key and associated data.
pub fn open(
    key: &[u8; KEY_LEN],
    sealed: &str,
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let raw = B64.decode(sealed).map_err(|_| CryptoError::Malformed)?;
    if raw.len() < NONCE_LEN + 16 {
        return Err(CryptoError::Malformed);
    }
    let (nonce, ct) = raw.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Open)
}

/// Wraps a record's data key under a master key of `version`.
pub fn wrap(master: &[u8; KEY_LEN], version: i32, data_key: &SecretKey, b: &Binding) -> String {
    seal(master, &data_key[..], &b.wrap_aad(version))
}

/// Unwraps a record's data key.
pub fn unwrap(
    master: &[u8; KEY_LEN],
    version: i32,
    wrapped: &str,
    b: &Binding,
) -> Result<SecretKey, CryptoError> {
    let raw = open(master, wrapped, &b.wrap_aad(version))?;
    if raw.len() != KEY_LEN {
        return Err(CryptoError::Malformed);
    }
    let mut k = Zeroizing::new([0u8; KEY_LEN]);
    k.copy_from_slice(&raw);
    Ok(k)
}

/// A record sealed for storage: the wrapped data key and the ciphertext.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub key_version: i32,
    pub wrapped_key: String,
    pub ciphertext: String,
}

/// Seals a record's plaintext with a new data key wrapped by `master` (of `version`).
pub fn seal_record(master: &[u8; KEY_LEN], version: i32, plaintext: &[u8], b: &Binding) -> Sealed {
    let data_key = new_key();
    Sealed {
        key_version: version,
        wrapped_key: wrap(master, version, &data_key, b),
        ciphertext: seal(&data_key, plaintext, &b.aad()),
    }
}

/// Opens a record sealed by `seal_record`.
pub fn open_record(
    master: &[u8; KEY_LEN],
    version: i32,
    wrapped_key: &str,
    ciphertext: &str,
    b: &Binding,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let data_key = unwrap(master, version, wrapped_key, b)?;
    open(&data_key, ciphertext, &b.aad())
}

/// Re-wraps a record's data key from one master key to another (rotation); the record's
/// ciphertext is not touched.
pub fn rewrap(
    from: (&[u8; KEY_LEN], i32),
    to: (&[u8; KEY_LEN], i32),
    wrapped_key: &str,
    b: &Binding,
) -> Result<String, CryptoError> {
    let data_key = unwrap(from.0, from.1, wrapped_key, b)?;
    Ok(wrap(to.0, to.1, &data_key, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding<'a>(row: &'a str, org: &'a str) -> Binding<'a> {
        Binding {
            table: "assignments",
            column: "details",
            row_id: row,
            org_id: org,
        }
    }

    #[test]
    fn a_record_opens_with_its_key_and_binding() {
        let master = new_key();
        let b = binding("row-1", "org-1");
        let s = seal_record(&master, 1, b"Kari Nordmann, Storgata 1", &b);
        assert!(!s.ciphertext.contains("Kari"));
        let plain = open_record(&master, 1, &s.wrapped_key, &s.ciphertext, &b).unwrap();
        assert_eq!(&plain[..], b"Kari Nordmann, Storgata 1");
    }

    #[test]
    fn tampered_ciphertext_is_detected() {
        let master = new_key();
        let b = binding("row-1", "org-1");
        let s = seal_record(&master, 1, b"secret", &b);
        let mut raw = B64.decode(&s.ciphertext).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let tampered = B64.encode(&raw);
        assert_eq!(
            open_record(&master, 1, &s.wrapped_key, &tampered, &b),
            Err(CryptoError::Open)
        );
        let mut raw = B64.decode(&s.wrapped_key).unwrap();
        raw[30] ^= 0x80;
        assert!(open_record(&master, 1, &B64.encode(&raw), &s.ciphertext, &b).is_err());
        assert_eq!(
            open_record(&master, 1, &s.wrapped_key, "not base64!", &b),
            Err(CryptoError::Malformed)
        );
    }

    #[test]
    fn a_swapped_row_or_organization_is_detected() {
        let master = new_key();
        let (a, b) = (binding("row-a", "org-1"), binding("row-b", "org-1"));
        let sa = seal_record(&master, 1, b"A", &a);
        let sb = seal_record(&master, 1, b"B", &b);
        // Both columns moved to the other row.
        assert_eq!(
            open_record(&master, 1, &sa.wrapped_key, &sa.ciphertext, &b),
            Err(CryptoError::Open)
        );
        // Only the ciphertext moved (the row's own data key stays).
        assert!(open_record(&master, 1, &sb.wrapped_key, &sa.ciphertext, &b).is_err());
        // Same row id in another organization.
        let other_org = binding("row-a", "org-2");
        assert!(open_record(&master, 1, &sa.wrapped_key, &sa.ciphertext, &other_org).is_err());
        // Another column of the same row.
        let other_col = Binding {
            column: "notes",
            ..a
        };
        assert!(open_record(&master, 1, &sa.wrapped_key, &sa.ciphertext, &other_col).is_err());
    }

    #[test]
    fn the_key_version_is_bound_and_a_wrong_master_key_fails() {
        let master = new_key();
        let b = binding("row-1", "org-1");
        let s = seal_record(&master, 1, b"x", &b);
        // The same key claimed to be another version.
        assert!(open_record(&master, 2, &s.wrapped_key, &s.ciphertext, &b).is_err());
        let wrong = new_key();
        assert!(open_record(&wrong, 1, &s.wrapped_key, &s.ciphertext, &b).is_err());
    }

    #[test]
    fn rewrapping_keeps_the_record_readable_under_the_new_key_only() {
        let (old, new) = (new_key(), new_key());
        let b = binding("row-1", "org-1");
        let s = seal_record(&old, 1, b"kept", &b);
        let rewrapped = rewrap((&old, 1), (&new, 2), &s.wrapped_key, &b).unwrap();
        assert_eq!(
            &open_record(&new, 2, &rewrapped, &s.ciphertext, &b).unwrap()[..],
            b"kept"
        );
        assert!(open_record(&old, 1, &rewrapped, &s.ciphertext, &b).is_err());
    }
}
