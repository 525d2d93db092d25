//! GraphQL types and queries of the organisation.

use async_graphql::{Context, ID, Object};
use steward_shared::organisation::OrgUnitKind;

use super::org_unit;
use crate::graphql::{ApiError, ApiResult, db};

#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// Every org unit of the organisation, in the order the organisation lists them
    /// (by sort order, then code). Children name their parent through `parentId`.
    async fn org_units(&self, ctx: &Context<'_>) -> ApiResult<Vec<OrgUnit>> {
        let units = org_unit::list_all(db(ctx)?.reader()).await?;
        units.into_iter().map(OrgUnit::try_from).collect()
    }
}

/// A unit of the organisation: the executive office, a division, a branch, a service, or a
/// regional, country or liaison office.
pub struct OrgUnit {
    model: org_unit::Model,
    kind: OrgUnitKind,
}

impl TryFrom<org_unit::Model> for OrgUnit {
    type Error = ApiError;

    fn try_from(model: org_unit::Model) -> Result<Self, Self::Error> {
        let kind = model.kind.parse::<OrgUnitKind>().map_err(|e| {
            ApiError::internal(format!("org unit {} has a bad kind: {e}", model.code))
        })?;
        Ok(OrgUnit { model, kind })
    }
}

#[Object]
impl OrgUnit {
    /// The unit's identifier.
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    /// Short, stable code that survives renames (e.g. `OED`, `ROAP`).
    async fn code(&self) -> &str {
        &self.model.code
    }

    /// The unit's name in English.
    async fn name(&self) -> &str {
        &self.model.name
    }

    /// What kind of unit this is.
    async fn kind(&self) -> OrgUnitKind {
        self.kind
    }

    /// The identifier of the unit this one belongs to; empty for the top of the tree.
    async fn parent_id(&self) -> Option<ID> {
        self.model.parent_id.map(|id| ID(id.to_string()))
    }
}
