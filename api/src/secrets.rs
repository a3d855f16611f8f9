//! Random secrets, their hashes, and passwords.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes as URL-safe base64.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Hash under which a high-entropy secret (token, ticket) is stored and looked up.
/// A fast hash is enough: the secrets are random, not guessable passwords.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so a wrong e-mail costs
/// the same time as a wrong password and answers the same.
pub fn dummy_password_hash() -> &'static str {
    use std::sync::OnceLock;
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// Encrypts secrets the server must use again later (channel tokens it sends on outbound
/// calls): XChaCha20-Poly1305 under a key derived from the server secret. Stored as
/// `v1:<base64(nonce || ciphertext)>`.
pub struct SecretBox {
    cipher: chacha20poly1305::XChaCha20Poly1305,
}

impl SecretBox {
    pub fn new(server_secret: &[u8]) -> Self {
        use chacha20poly1305::KeyInit;
        let mut h = Sha256::new();
        h.update(b"ismessenger secret box v1\0");
        h.update(server_secret);
        let key = h.finalize();
        SecretBox {
            cipher: chacha20poly1305::XChaCha20Poly1305::new(&key),
        }
    }

    pub fn seal(&self, plain: &str) -> String {
        use chacha20poly1305::aead::{Aead, AeadCore};
        let nonce =
            chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut chacha20poly1305::aead::OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("encryption of a small secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("v1:{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// `None` when the value was not sealed with this server's secret.
    pub fn open(&self, sealed: &str) -> Option<String> {
        use chacha20poly1305::aead::Aead;
        let raw = URL_SAFE_NO_PAD.decode(sealed.strip_prefix("v1:")?).ok()?;
        if raw.len() < 24 {
            return None;
        }
        let (nonce, body) = raw.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                &chacha20poly1305::XNonce::from(<[u8; 24]>::try_from(nonce).ok()?),
                body,
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    // Hash first so the comparison also does not reveal the expected length.
    Sha256::digest(a.as_bytes())
        .ct_eq(&Sha256::digest(b.as_bytes()))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let b = SecretBox::new(b"server secret one");
        let sealed = b.seal("channel-token");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("channel-token"));
        assert_ne!(sealed, b.seal("channel-token"), "fresh nonce each time");
        assert_eq!(b.open(&sealed).as_deref(), Some("channel-token"));
        assert_eq!(SecretBox::new(b"another secret").open(&sealed), None);
        assert_eq!(b.open("v1:short"), None);
        assert_eq!(b.open("plain"), None);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(token_hash("abc"), token_hash("abc"));
        assert_ne!(token_hash("abc"), token_hash("abd"));
    }
}
