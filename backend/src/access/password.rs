//! Passwords: Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), hashed on tokio's
//! blocking pool so a sign-in never stalls the async executor; the policy (length, not a
//! common password, not personal).

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use steward_shared::access::{PasswordError, check_password_length};

/// 49,233 passwords seen most often in breaches (from zxcvbn-ts, MIT; see the LICENSE file
/// beside it), lower-cased.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().collect());

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("the random number generator failed: {0}")]
    Random(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task was cancelled")]
    Cancelled,
}

/// OWASP's Argon2id recommendation: m = 19 MiB, t = 2, p = 1 (argon2's defaults).
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| HashError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError::Hash(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

/// The Argon2id hash of `password`, in PHC string form.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| HashError::Cancelled)?
}

/// Whether `password` matches `stored`. With no stored hash (no such account, or no password
/// set) a dummy hash is checked instead, so the answer takes as long either way and its timing
/// does not tell whether an address has an account.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_blocking("no account has this password")
        .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA".to_owned())
});

/// Whether a new password may be used by the person with this e-mail address and name.
pub fn check_new_password(password: &str, email: &str, name: &str) -> Result<(), PasswordError> {
    check_password_length(password)?;
    let lower = password.to_lowercase();
    if is_common(&lower) {
        return Err(PasswordError::TooCommon);
    }
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    let name = name.to_lowercase();
    let squashed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let name_squashed: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    if (local_part.chars().count() >= 4 && lower.contains(&local_part))
        || lower.contains(&email.to_lowercase())
        || (!name_squashed.is_empty() && squashed == name_squashed)
    {
        return Err(PasswordError::Personal);
    }
    Ok(())
}

/// A common password as it is, with digits or punctuation added at the end
/// (`password2026!`), or one short pattern repeated (`abcabcabcabc`).
fn is_common(lower: &str) -> bool {
    if COMMON_PASSWORDS.contains(lower) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    if stem.chars().count() >= 4 && COMMON_PASSWORDS.contains(stem) {
        return true;
    }
    is_repetition(lower)
}

fn is_repetition(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (1..=chars.len() / 2).any(|period| {
        chars.len().is_multiple_of(period)
            && chars.chunks(period).all(|chunk| chunk == &chars[..period])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_owasps() {
        let params = Params::DEFAULT;
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19 * 1024, 2, 1)
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_differ_by_salt() {
        let first = hash("correct horse battery".into()).await.unwrap();
        let second = hash("correct horse battery".into()).await.unwrap();
        assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(first, second);
        assert!(verify("correct horse battery".into(), Some(first.clone())).await);
        assert!(!verify("correct horse batterY".into(), Some(first)).await);
        assert!(!verify("anything".into(), None).await);
        assert!(!verify("anything".into(), Some("not a hash".into())).await);
    }

    #[test]
    fn the_policy_refuses_short_common_and_personal_passwords() {
        let check = |p: &str| check_new_password(p, "amina.diallo@unhabitat.org", "Amina Diallo");
        assert_eq!(check("short"), Err(PasswordError::TooShort));
        assert_eq!(check("qwerty123456"), Err(PasswordError::TooCommon));
        assert_eq!(check("Password2026!"), Err(PasswordError::TooCommon));
        assert_eq!(check("abcabcabcabc"), Err(PasswordError::TooCommon));
        assert_eq!(check("zzzzzzzzzzzzzz"), Err(PasswordError::TooCommon));
        assert_eq!(check("amina.diallo-2026"), Err(PasswordError::Personal));
        assert_eq!(check("Amina Diallo"), Err(PasswordError::Personal));
        assert_eq!(check("AminaDiallo!!"), Ok(()));
        assert_eq!(check("plum orchard on the hill"), Ok(()));
        assert_eq!(check("城市可持续发展十七个目标"), Ok(()));
        assert!(COMMON_PASSWORDS.len() > 40_000);
    }
}
