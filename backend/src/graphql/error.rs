//! The one error type of the API.
//!
//! `ApiError` deliberately does not implement `Display`, and async-graphql's blanket
//! `From<impl Display>` conversion is switched off (feature `custom-error-conversion`): a `?` on a
//! database error can therefore only land here, where it is logged with the request id and the
//! client sees a plain `INTERNAL` error. SQL text never reaches a client.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;
use steward_shared::api::ErrorCode;

pub type ApiResult<T> = Result<T, ApiError>;

/// What went wrong, in words a person understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("{0}")]
    BadRequest(String),
    /// Not signed in, or the credential has ended; the message says which.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but the permission table does not allow it; the message says what.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Please wait {retry_after_seconds} seconds and try again.")]
    RateLimited { retry_after_seconds: u64 },
    #[error("Something went wrong on the server. It has been logged; please try again later.")]
    Internal,
}

impl ErrorKind {
    pub fn code(&self) -> ErrorCode {
        match self {
            ErrorKind::BadRequest(_) => ErrorCode::BadRequest,
            ErrorKind::Unauthenticated(_) => ErrorCode::Unauthenticated,
            ErrorKind::Forbidden(_) => ErrorCode::Forbidden,
            ErrorKind::NotFound(_) => ErrorCode::NotFound,
            ErrorKind::Validation { .. } => ErrorCode::Validation,
            ErrorKind::Conflict(_) => ErrorCode::Conflict,
            ErrorKind::RateLimited { .. } => ErrorCode::RateLimited,
            ErrorKind::Internal => ErrorCode::Internal,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    kind: ErrorKind,
    /// Server-side detail for the log; never sent to the client.
    detail: Option<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind) -> Self {
        ApiError { kind, detail: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::BadRequest(message.into()))
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Unauthenticated(message.into()))
    }

    /// Not signed in: the message every anonymous refusal uses.
    pub fn sign_in_first() -> Self {
        ApiError::unauthenticated("Please sign in first.")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Forbidden(message.into()))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::NotFound(message.into()))
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Validation {
            field: field.into(),
            message: message.into(),
        })
    }

    /// A validation error whose message is a rule's error text from `shared/` (which starts
    /// lower-case, for use inside sentences), made a sentence.
    pub fn invalid(field: impl Into<String>, error: &impl std::fmt::Display) -> Self {
        let text = error.to_string();
        let mut chars = text.chars();
        let sentence = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
            None => String::new(),
        };
        ApiError::validation(field, sentence)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::Conflict(message.into()))
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError {
            kind: ErrorKind::Internal,
            detail: Some(detail.into()),
        }
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub fn code(&self) -> ErrorCode {
        self.kind.code()
    }

    /// The message a client sees.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        ApiError::internal(format!("database error: {err}"))
    }
}

impl ApiError {
    /// Logs the server-side detail, if any, inside the request's span (which carries the
    /// request id). Every path that sends an `ApiError` to a client calls this.
    pub fn log(&self) {
        if let Some(detail) = &self.detail {
            tracing::error!(code = %self.code(), %detail, "request failed");
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.log();
        let code = err.code().as_str();
        let field = match &err.kind {
            ErrorKind::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let retry_after = match &err.kind {
            ErrorKind::RateLimited {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        };
        async_graphql::Error::new(err.kind.to_string()).extend_with(move |_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            if let Some(seconds) = retry_after {
                ext.set("retryAfterSeconds", seconds);
            }
        })
    }
}

/// For refusals of a whole request (limits): they point at no place in the query.
impl From<ApiError> for async_graphql::ServerError {
    fn from(err: ApiError) -> Self {
        let error = async_graphql::Error::from(err);
        let mut server_error = async_graphql::ServerError::new(error.message, None);
        server_error.extensions = error.extensions;
        server_error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extension(err: &async_graphql::Error, key: &str) -> Option<async_graphql::Value> {
        err.extensions
            .as_ref()
            .and_then(|ext| ext.get(key))
            .cloned()
    }

    #[test]
    fn database_errors_never_reach_the_client() {
        let err: async_graphql::Error =
            ApiError::from(DbErr::Custom("SELECT secret FROM org_unit".into())).into();
        assert!(!err.message.contains("SELECT"));
        assert_eq!(extension(&err, "code"), Some("INTERNAL".into()));
    }

    #[test]
    fn validation_errors_name_their_field() {
        let err: async_graphql::Error =
            ApiError::validation("name", "A name cannot be empty.").into();
        assert_eq!(err.message, "A name cannot be empty.");
        assert_eq!(extension(&err, "code"), Some("VALIDATION".into()));
        assert_eq!(extension(&err, "field"), Some("name".into()));
    }

    #[test]
    fn every_kind_has_its_code() {
        let kinds = [
            (ErrorKind::BadRequest("x".into()), "BAD_REQUEST"),
            (ErrorKind::Unauthenticated("x".into()), "UNAUTHENTICATED"),
            (ErrorKind::Forbidden("x".into()), "FORBIDDEN"),
            (ErrorKind::NotFound("x".into()), "NOT_FOUND"),
            (ErrorKind::Conflict("x".into()), "CONFLICT"),
            (
                ErrorKind::RateLimited {
                    retry_after_seconds: 30,
                },
                "RATE_LIMITED",
            ),
            (ErrorKind::Internal, "INTERNAL"),
        ];
        for (kind, code) in kinds {
            let err: async_graphql::Error = ApiError::new(kind).into();
            assert_eq!(extension(&err, "code"), Some(code.into()));
        }
    }
}
