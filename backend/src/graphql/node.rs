//! The Relay `Node` interface: any record by its opaque global id.

use async_graphql::futures_util::future::try_join_all;
use async_graphql::{Context, ID, Interface, Object};

use steward_shared::access::Operation;

use super::relay::{MAX_PAGE_SIZE, parse_global_id};
use super::{ApiError, ApiResult};
use crate::access::graphql::{ACCOUNT_TYPE, Account};
use crate::access::permissions::{Subject, authorize};
use crate::grants::graphql::{DONOR_TYPE, Donor, GRANT_TYPE, Grant};
use crate::organisation::graphql::{ORG_UNIT_TYPE, OrgUnit, PERSON_TYPE, Person, today};

/// A record that can be fetched by its global id with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Opaque global identifier; use it with `node(id:)`."
))]
pub enum Node {
    OrgUnit(OrgUnit),
    Person(Person),
    Account(Account),
    Grant(Grant),
    Donor(Donor),
}

async fn load(ctx: &Context<'_>, id: &ID) -> ApiResult<Option<Node>> {
    let (type_name, record) = parse_global_id(id)?;
    match type_name.as_str() {
        ORG_UNIT_TYPE => {
            authorize(ctx, Operation::ReadOrganisation, Subject::Organisation).await?;
            Ok(OrgUnit::load(ctx, record, today())
                .await?
                .map(Node::OrgUnit))
        }
        PERSON_TYPE => {
            authorize(ctx, Operation::ReadOrganisation, Subject::Organisation).await?;
            Ok(Person::load(ctx, record, today()).await?.map(Node::Person))
        }
        ACCOUNT_TYPE => Ok(Account::load_visible(ctx, record).await?.map(Node::Account)),
        GRANT_TYPE => {
            authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
            Ok(Grant::load(ctx, record).await?.map(Node::Grant))
        }
        DONOR_TYPE => {
            authorize(ctx, Operation::ReadGrants, Subject::Organisation).await?;
            Ok(Donor::load(ctx, record).await?.map(Node::Donor))
        }
        _ => Err(ApiError::bad_request(format!(
            "{:?} is not the id of anything Steward holds.",
            id.as_str()
        ))),
    }
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any record by its global id (seen as of today); empty if there is none.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as returned in any `id` field.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        load(ctx, &id).await
    }

    /// Several records by their global ids, in the order asked (empty where there is none);
    /// at most 100 at a time.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, as returned in any `id` field (at most 100).")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_PAGE_SIZE as usize {
            return Err(ApiError::bad_request(format!(
                "At most {MAX_PAGE_SIZE} ids at a time, not {}.",
                ids.len()
            )));
        }
        // Loaded together, so the loaders read each type in one batch.
        try_join_all(ids.iter().map(|id| load(ctx, id))).await
    }
}
