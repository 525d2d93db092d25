//! The GraphQL API: the schema (one query object per domain area, merged), its error type, its
//! limits, and its HTTP endpoints.

pub mod error;
pub mod http;
pub mod limits;
pub mod loaders;
pub mod node;
pub mod relay;
pub mod scalars;
pub mod versioning;

use async_graphql::{Context, EmptySubscription, MergedObject, Schema};

use crate::access::caller::{AccessSettings, Caller};
use crate::access::loaders::AccessLoaders;
use crate::access::{AccessMutation, AccessQuery, gate::SignInGate};
use crate::audit::AuditQuery;
use crate::db::Db;
use crate::grants::graphql::GrantsLoaders;
use crate::grants::{ClosureAnalyticsQuery, GrantsMutation, GrantsQuery};
use crate::organisation::loaders::OrganisationLoaders;
use crate::organisation::{OrganisationMutation, OrganisationQuery};

pub use error::{ApiError, ApiResult, ErrorKind};

/// The root query: one object per domain area.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    AccessQuery,
    OrganisationQuery,
    AuditQuery,
    GrantsQuery,
    ClosureAnalyticsQuery,
);

/// The root mutation: one object per domain area.
#[derive(MergedObject, Default)]
pub struct Mutation(AccessMutation, OrganisationMutation, GrantsMutation);

pub type StewardSchema = Schema<Query, Mutation, EmptySubscription>;

pub fn build_schema(db: Db, access: AccessSettings) -> StewardSchema {
    schema_builder().data(db).data(access).finish()
}

/// The schema in SDL, as checked into `schema.graphql` and served at `/schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}

fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    // Depth and complexity are enforced by `QueryLimits`, which reports them and names the
    // numbers when it refuses; the parser's own recursion limit guards the stack before that.
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_recursive_depth(limits::MAX_DEPTH + 8)
        .extension(limits::QueryLimits)
        .extension(SignInGate)
}

/// Per-request data: the caller, and each area's DataLoaders (their caches must not outlive
/// the request).
pub fn with_request_data(
    request: async_graphql::Request,
    db: &Db,
    caller: Caller,
) -> async_graphql::Request {
    request
        .data(caller)
        .data(OrganisationLoaders::new(db))
        .data(AccessLoaders::new(db))
        .data(GrantsLoaders::new(db))
}

/// The database handle of the current request.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a Db> {
    ctx.data::<Db>()
        .map_err(|_| ApiError::internal("the schema was built without a database"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sdl_describes_the_organisation() {
        let sdl = super::sdl();
        assert!(sdl.contains("orgUnits("));
        assert!(sdl.contains("interface Node"));
        assert!(sdl.contains("enum OrgUnitKind"));
    }
}
