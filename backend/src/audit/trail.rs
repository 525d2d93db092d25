//! Writing to the audit trail, and the filters to read it.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde_json::Value;

use super::audit_record;
use crate::access::caller::{Caller, Credential};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Account {
        id: i32,
        email: String,
    },
    /// The `steward` command on the server.
    CommandLine,
}

impl Actor {
    /// The actor of a request; anonymous requests change nothing, so they never get here, but
    /// if one did it would be recorded as `anonymous` rather than dropped.
    pub fn of(caller: &Caller) -> Actor {
        match &caller.signed_in {
            Some(signed_in) if signed_in.credential == Credential::CommandLine => {
                Actor::CommandLine
            }
            Some(signed_in) => Actor::Account {
                id: signed_in.account_id,
                email: signed_in.email.clone(),
            },
            None => Actor::Account {
                id: 0,
                email: "anonymous".to_owned(),
            },
        }
    }

    fn label(&self) -> String {
        match self {
            Actor::Account { email, .. } => email.clone(),
            Actor::CommandLine => "cli".to_owned(),
        }
    }

    fn account_id(&self) -> Option<i32> {
        match self {
            Actor::Account { id, .. } if *id > 0 => Some(*id),
            _ => None,
        }
    }
}

/// One change to one record.
#[derive(Debug, Clone)]
pub struct Change {
    /// The kind of record, as the API names it (`Person`, `OrgUnit`, `Account`, …).
    pub entity: &'static str,
    pub record_id: i32,
    /// What was done: `create`, `update`, `rename`, `import`, `deactivate`, …
    pub action: &'static str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
}

impl Change {
    pub fn new(entity: &'static str, record_id: i32, action: &'static str) -> Self {
        Change {
            entity,
            record_id,
            action,
            before: None,
            after: None,
            reason: None,
        }
    }

    pub fn before(mut self, value: Value) -> Self {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: Value) -> Self {
        self.after = Some(value);
        self
    }

    pub fn reason(mut self, reason: Option<String>) -> Self {
        self.reason = reason;
        self
    }
}

/// The row that records `change`.
fn row(
    actor: &Actor,
    request_id: Option<&str>,
    at: chrono::DateTime<Utc>,
    change: Change,
) -> audit_record::ActiveModel {
    audit_record::ActiveModel {
        at: Set(at),
        actor_account_id: Set(actor.account_id()),
        actor: Set(actor.label()),
        request_id: Set(request_id.map(str::to_owned)),
        entity: Set(change.entity.to_owned()),
        record_id: Set(change.record_id.to_string()),
        action: Set(change.action.to_owned()),
        before: Set(change.before.map(|v| v.to_string())),
        after: Set(change.after.map(|v| v.to_string())),
        reason: Set(change.reason),
        ..Default::default()
    }
}

/// Records `change` on `conn`, which must be the transaction that makes the change.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    request_id: Option<&str>,
    change: Change,
) -> Result<(), DbErr> {
    row(actor, request_id, Utc::now(), change)
        .insert(conn)
        .await
        .map(|_| ())
}

/// Audit records per INSERT: 10 values each, far below the databases' parameter limits.
const RECORD_BATCH: usize = 1000;

/// Records many changes made in one request (an import), a batch of rows per statement.
pub async fn record_all_for<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    changes: Vec<Change>,
) -> Result<(), DbErr> {
    let actor = Actor::of(caller);
    let request_id = caller.request_id.as_deref();
    let at = Utc::now();
    let mut rows = changes
        .into_iter()
        .map(|change| row(&actor, request_id, at, change));
    loop {
        let batch: Vec<_> = rows.by_ref().take(RECORD_BATCH).collect();
        if batch.is_empty() {
            return Ok(());
        }
        audit_record::Entity::insert_many(batch)
            .exec_without_returning(conn)
            .await?;
    }
}

/// Records a change made in a request, as its caller.
pub async fn record_for<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    change: Change,
) -> Result<(), DbErr> {
    record(
        conn,
        &Actor::of(caller),
        caller.request_id.as_deref(),
        change,
    )
    .await
}

/// Which part of the trail to read. Dates are whole days in UTC, both ends included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailFilter {
    pub record: Option<(String, i32)>,
    pub entity: Option<String>,
    pub actor_account: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl TrailFilter {
    fn apply(&self, mut select: Select<audit_record::Entity>) -> Select<audit_record::Entity> {
        if let Some((entity, id)) = &self.record {
            select = select
                .filter(audit_record::Column::Entity.eq(entity.as_str()))
                .filter(audit_record::Column::RecordId.eq(id.to_string()));
        }
        if let Some(entity) = &self.entity {
            select = select.filter(audit_record::Column::Entity.eq(entity.as_str()));
        }
        if let Some(account) = self.actor_account {
            select = select.filter(audit_record::Column::ActorAccountId.eq(account));
        }
        if let Some(from) = self.from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
            select = select.filter(audit_record::Column::At.gte(from.and_utc()));
        }
        if let Some(end) = self
            .to
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
        {
            select = select.filter(audit_record::Column::At.lt(end.and_utc()));
        }
        select
    }

    pub async fn count<C: ConnectionTrait>(&self, conn: &C) -> Result<u64, DbErr> {
        self.apply(audit_record::Entity::find()).count(conn).await
    }

    /// The entries, newest first.
    pub fn newest_first(&self) -> Select<audit_record::Entity> {
        self.apply(audit_record::Entity::find())
            .order_by_desc(audit_record::Column::Id)
    }

    /// Oldest first, from just after entry `after_id`: for exports, which page by key so that
    /// changes made meanwhile neither repeat nor skip rows.
    pub async fn list_after<C: ConnectionTrait>(
        &self,
        conn: &C,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<audit_record::Model>, DbErr> {
        self.apply(audit_record::Entity::find())
            .filter(audit_record::Column::Id.gt(after_id))
            .order_by_asc(audit_record::Column::Id)
            .limit(limit)
            .all(conn)
            .await
    }
}
