//! Enforcement of the permission table in `shared/` (`steward_shared::access::PERMISSIONS`):
//! every resolver and file route names the operation it performs and what it is done to, and
//! calls [`authorize`] (GraphQL) or [`authorize_caller`] (files) before touching data.
//!
//! A refusal is `FORBIDDEN`, changes nothing, and is written to the security log.

use async_graphql::Context;
use chrono::Utc;
use steward_shared::access::{Operation, Reach, Role, Scope, Target, allows, reach};

use super::caller::{Caller, SignedIn};
use super::security_log::{self, SecurityEvent, SecurityEventKind};
use crate::db::Db;
use crate::graphql::{ApiError, ApiResult, db};
use crate::organisation::loaders::OrganisationLoaders;
use crate::organisation::queries::in_effect;

/// What an operation is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Nothing tied to an org unit.
    Organisation,
    /// A person: in scope where any of the person's current units is.
    Person(i32),
    /// An org unit.
    Unit(i32),
}

/// The request's caller (always present: the HTTP layer puts it there).
pub fn caller<'a>(ctx: &Context<'a>) -> ApiResult<&'a Caller> {
    ctx.data::<Caller>()
        .map_err(|_| ApiError::internal("the request has no caller"))
}

/// Whether some assignment allows `operation` without looking at units: an `Everywhere` grant,
/// or an `InScope` grant held organisation-wide.
fn allowed_everywhere(signed_in: &SignedIn, operation: Operation) -> bool {
    operation == Operation::ManageOwnAccount
        || signed_in
            .assignments
            .iter()
            .any(|(role, scope)| match reach(*role, operation) {
                Some(Reach::Everywhere) => true,
                Some(Reach::InScope) => *scope == Scope::Organisation,
                None => false,
            })
}

/// Whether an assignment limited to a unit could allow `operation` (then the target's units
/// must be looked up).
fn has_unit_scoped_grant(signed_in: &SignedIn, operation: Operation) -> bool {
    signed_in.assignments.iter().any(|(role, scope)| {
        matches!(scope, Scope::Unit(_)) && reach(*role, operation) == Some(Reach::InScope)
    })
}

fn roles_text(signed_in: &SignedIn) -> String {
    let mut roles: Vec<Role> = signed_in.assignments.iter().map(|(r, _)| *r).collect();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        "no role".to_owned()
    } else {
        roles
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn refuse(db: &Db, caller: &Caller, operation: Operation, why: &str) -> ApiError {
    let detail = match &caller.signed_in {
        Some(signed_in) => format!(
            "{operation} refused ({why}; roles: {})",
            roles_text(signed_in)
        ),
        None => format!("{operation} refused ({why})"),
    };
    security_log::record_or_warn(
        db.writer(),
        caller,
        SecurityEvent::new(SecurityEventKind::AccessRefused).detail(detail),
    )
    .await;
    ApiError::forbidden(format!(
        "You are not allowed to do this: {} needs a role you do not have{}.",
        operation.code(),
        if why == "scope" {
            " for this part of the organisation"
        } else {
            ""
        }
    ))
}

async fn refuse_read_only(db: &Db, caller: &Caller, operation: Operation) -> ApiError {
    refuse(db, caller, operation, "read-only token").await;
    ApiError::forbidden(
        "This API token is read-only: it cannot change anything. Use a token without the read-only option.",
    )
}

/// Checks the caller may do `operation` to `subject`; the signed-in account when it may.
pub async fn authorize<'a>(
    ctx: &Context<'a>,
    operation: Operation,
    subject: Subject,
) -> ApiResult<&'a SignedIn> {
    let caller = caller(ctx)?;
    let db = db(ctx)?;
    let signed_in = caller.signed_in()?;
    if operation.writes() && signed_in.read_only() {
        return Err(refuse_read_only(db, caller, operation).await);
    }
    if allowed_everywhere(signed_in, operation) {
        return Ok(signed_in);
    }
    if subject != Subject::Organisation && has_unit_scoped_grant(signed_in, operation) {
        let target = Target::Units(unit_chains(ctx, subject).await?);
        if signed_in
            .assignments
            .iter()
            .any(|(role, scope)| allows(*role, *scope, operation, &target))
        {
            return Ok(signed_in);
        }
        return Err(refuse(db, caller, operation, "scope").await);
    }
    Err(refuse(db, caller, operation, "role").await)
}

/// For routes outside GraphQL (files): operations on the whole organisation.
pub async fn authorize_caller<'a>(
    db: &Db,
    caller: &'a Caller,
    operation: Operation,
) -> ApiResult<&'a SignedIn> {
    let signed_in = caller.signed_in()?;
    if operation.writes() && signed_in.read_only() {
        return Err(refuse_read_only(db, caller, operation).await);
    }
    if allowed_everywhere(signed_in, operation) {
        return Ok(signed_in);
    }
    Err(refuse(db, caller, operation, "role").await)
}

/// The subject's units today, each with its ancestors (from the request's cached org tree).
async fn unit_chains(ctx: &Context<'_>, subject: Subject) -> ApiResult<Vec<Vec<i32>>> {
    let loaders = ctx
        .data::<OrganisationLoaders>()
        .map_err(|_| ApiError::internal("organisation loaders missing from the request"))?;
    let today = Utc::now().date_naive();
    let units: Vec<i32> = match subject {
        Subject::Organisation => Vec::new(),
        Subject::Unit(unit) => vec![unit],
        Subject::Person(person) => loaders
            .memberships
            .load_one(person)
            .await?
            .unwrap_or_default()
            .iter()
            .filter(|m| in_effect(m.valid_from, m.valid_to, today))
            .map(|m| m.org_unit_id)
            .collect(),
    };
    let tree = loaders
        .tree
        .load_one(today)
        .await?
        .ok_or_else(|| ApiError::internal("tree loader returned no tree"))?;
    Ok(units
        .into_iter()
        .map(|unit| {
            let mut chain = vec![unit];
            let mut current = unit;
            while let Some(parent) = tree
                .revision_of
                .get(&current)
                .and_then(|revision| revision.parent_id)
            {
                if chain.contains(&parent) {
                    break;
                }
                chain.push(parent);
                current = parent;
            }
            chain
        })
        .collect())
}

/// The operations the signed-in account may do, each with how far (for the app's menus).
pub fn granted(signed_in: &SignedIn) -> Vec<(Operation, bool)> {
    Operation::ALL
        .into_iter()
        .filter_map(|operation| {
            if allowed_everywhere(signed_in, operation)
                && !(operation.writes() && signed_in.read_only())
            {
                Some((operation, true))
            } else if has_unit_scoped_grant(signed_in, operation) && !signed_in.read_only() {
                Some((operation, false))
            } else {
                None
            }
        })
        .collect()
}
