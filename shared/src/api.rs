//! The API's error codes: sent by the server in `extensions.code`, read by the app to show
//! each error in the user's language.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure an API error is. Stable: clients and scripts match on these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The request itself is malformed or breaks a rule of the API (syntax, limits, arguments).
    BadRequest,
    /// Nobody is signed in, or the session or token has ended.
    Unauthenticated,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// The record does not exist (or is not visible to the caller).
    NotFound,
    /// An input value breaks a rule; `extensions.field` names the input field.
    Validation,
    /// The record changed since it was read (stale `version`), or a unique value is taken.
    Conflict,
    /// Too many requests or attempts; try again later.
    RateLimited,
    /// Something failed on the server; the details are in its log under the request id.
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Validation,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn codes_serialise_as_their_names() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_string(&code).ok(),
                Some(format!("\"{code}\""))
            );
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("TEAPOT"), None);
    }
}
