//! The GraphQL schema: one query object per domain area, merged; the error type every resolver
//! returns; the HTTP handler.

use async_graphql::{
    Context, EmptyMutation, EmptySubscription, ErrorExtensions, MergedObject, Schema,
};
use axum::{Json, extract::State};
use sea_orm::DbErr;

use crate::db::Db;
use crate::organisation::OrganisationQuery;
use crate::server::AppState;

/// Deep enough for the deepest legitimate query (a logframe chain with its indicators).
const MAX_DEPTH: usize = 25;

/// The root query: one object per domain area.
#[derive(MergedObject, Default)]
pub struct Query(OrganisationQuery);

pub type StewardSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn build_schema(db: Db) -> StewardSchema {
    schema_builder().data(db).finish()
}

/// The schema in SDL, as checked into `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

fn schema_builder() -> async_graphql::SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription).limit_depth(MAX_DEPTH)
}

pub async fn graphql_handler(
    State(state): State<AppState>,
    Json(request): Json<async_graphql::Request>,
) -> Json<async_graphql::Response> {
    Json(state.schema.execute(request).await)
}

/// The database handle of the current request.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a Db> {
    ctx.data::<Db>()
        .map_err(|_| ApiError::internal("the schema was built without a database"))
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What went wrong, in words a person understands. The `code` is machine-readable.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ErrorKind {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("Something went wrong on the server. It has been logged; please try again later.")]
    Internal,
}

impl ErrorKind {
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::BadRequest(_) => "BAD_REQUEST",
            ErrorKind::NotFound(_) => "NOT_FOUND",
            ErrorKind::Internal => "INTERNAL",
        }
    }
}

/// The error every resolver returns.
///
/// It deliberately does not implement `Display`: async-graphql turns any `Display` error into a
/// client message, and a database error's text (SQL, table names) must never reach a client.
/// `?` on a [`DbErr`] lands here, is logged, and the client sees only `INTERNAL`.
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

    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError {
            kind: ErrorKind::Internal,
            detail: Some(detail.into()),
        }
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        ApiError::internal(format!("database error: {err}"))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        if let Some(detail) = &err.detail {
            tracing::error!(code = err.kind.code(), %detail, "request failed");
        }
        let code = err.kind.code();
        async_graphql::Error::new(err.kind.to_string()).extend_with(|_, ext| ext.set("code", code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_errors_never_reach_the_client() {
        let err: async_graphql::Error =
            ApiError::from(DbErr::Custom("SELECT secret FROM org_unit".into())).into();
        assert!(!err.message.contains("SELECT"));
        let code = err
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .cloned();
        assert_eq!(code, Some(async_graphql::Value::from("INTERNAL")));
    }

    #[test]
    fn sdl_describes_the_organisation() {
        let sdl = sdl();
        assert!(sdl.contains("orgUnits: [OrgUnit!]!"));
        assert!(sdl.contains("enum OrgUnitKind"));
    }
}
