//! Random secrets handed to clients (session cookies, API tokens) and the digests stored in
//! their place. The secrets carry 256 random bits, so a fast digest is enough: nobody can
//! guess their way back from SHA-256 to a 256-bit random value.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// API tokens start with this, so secret scanners and people recognise them.
pub const TOKEN_PREFIX: &str = "stw_";

#[derive(Debug, thiserror::Error)]
#[error("the random number generator failed: {0}")]
pub struct RandomError(String);

fn random_text() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

pub fn new_session_token() -> Result<String, RandomError> {
    random_text()
}

pub fn new_api_token() -> Result<String, RandomError> {
    Ok(format!("{TOKEN_PREFIX}{}", random_text()?))
}

/// The SHA-256 digest of a secret, in hex: what the database keeps.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let a = new_api_token().unwrap();
        let b = new_api_token().unwrap();
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert_eq!(digest(&a).len(), 64);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
    }
}
