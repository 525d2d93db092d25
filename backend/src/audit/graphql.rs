//! The audit trail in GraphQL: `auditTrail(filter:)`, for auditors and administrators.

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use steward_shared::access::Operation;

use super::audit_record;
use super::trail::TrailFilter;
use crate::access::graphql::ACCOUNT_TYPE;
use crate::access::permissions::{Subject, authorize};
use crate::graphql::relay::{
    AuditEntryConnection, Connection, PageArgs, fetch_page, global_id, parse_global_id,
    parse_global_id_of,
};
use crate::graphql::scalars::Date;
use crate::graphql::{ApiError, ApiResult, db};
use crate::organisation::graphql::page_complexity;

#[derive(Default)]
pub struct AuditQuery;

/// Which entries of the audit trail to read.
#[derive(InputObject, Default)]
pub struct AuditTrailFilter {
    /// Only changes to this record (any global id, e.g. a person's).
    pub record: Option<ID>,
    /// Only changes to records of this kind, e.g. `Person`, `OrgUnit`, `Account`, `ApiToken`.
    pub entity: Option<String>,
    /// Only changes made by this account (its global id).
    pub actor: Option<ID>,
    /// Only changes on or after this day (UTC).
    pub from: Option<Date>,
    /// Only changes on or before this day (UTC).
    pub to: Option<Date>,
}

impl AuditTrailFilter {
    pub fn into_filter(self) -> ApiResult<TrailFilter> {
        let record = self.record.as_ref().map(parse_global_id).transpose()?;
        let actor_account = self
            .actor
            .as_ref()
            .map(|id| parse_global_id_of(id, ACCOUNT_TYPE))
            .transpose()?;
        let from = self.from.map(Into::into);
        let to = self.to.map(Into::into);
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(ApiError::validation(
                "filter.to",
                format!("The period ends ({to}) before it starts ({from})."),
            ));
        }
        Ok(TrailFilter {
            record,
            entity: self
                .entity
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty()),
            actor_account,
            from,
            to,
        })
    }
}

/// One change to one record: who, when, what, the values before and after, and why.
#[derive(SimpleObject, Clone)]
pub struct AuditEntry {
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// Who made it: the account's e-mail address, or `cli` for the command line.
    pub actor: String,
    /// The account that made it (empty for the command line).
    pub actor_account_id: Option<ID>,
    /// The request that made it, to find the server's log lines.
    pub request_id: Option<String>,
    /// The kind of record, e.g. `Person`.
    pub entity: String,
    /// The record's global id.
    pub record_id: ID,
    /// What was done, e.g. `update`, `rename`, `import`, `deactivate`.
    pub action: String,
    /// The record's values before the change (empty when it was created).
    pub before: Option<Json<serde_json::Value>>,
    /// The record's values after the change.
    pub after: Option<Json<serde_json::Value>>,
    /// Why, where the change is sensitive (required there).
    pub reason: Option<String>,
}

fn parse_json(text: Option<String>) -> Option<Json<serde_json::Value>> {
    text.and_then(|t| serde_json::from_str(&t).ok()).map(Json)
}

impl AuditEntry {
    pub fn from_model(row: audit_record::Model) -> Self {
        let record = row.record_id.parse::<i32>().unwrap_or_default();
        AuditEntry {
            at: row.at,
            actor: row.actor,
            actor_account_id: row.actor_account_id.map(|id| global_id(ACCOUNT_TYPE, id)),
            request_id: row.request_id,
            record_id: global_id(&row.entity, record),
            entity: row.entity,
            action: row.action,
            before: parse_json(row.before),
            after: parse_json(row.after),
            reason: row.reason,
        }
    }
}

#[Object]
impl AuditQuery {
    /// The audit trail, newest first: every change to data, per record, per person and per
    /// period. For auditors and administrators.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which changes to list.")] filter: Option<AuditTrailFilter>,
        #[graphql(desc = "At most this many entries from the start (0–100; default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many entries from the end (0–100).")] last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> ApiResult<AuditEntryConnection> {
        authorize(ctx, Operation::ReadAuditTrail, Subject::Organisation).await?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let (window, total, rows) =
            fetch_page(db(ctx)?.reader(), filter.newest_first(), &page).await?;
        Ok(Connection::new(
            window,
            total,
            rows.into_iter().map(AuditEntry::from_model).collect(),
        ))
    }
}
