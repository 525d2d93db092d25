//! The audit trail: every change to data, by whom (an account, or `cli`), when, to which
//! record, with the values before and after and a reason where the change is sensitive.
//! Written in the same transaction as the change (a failed change leaves no record), and
//! append-only in the database itself (triggers on SQLite and PostgreSQL).

pub mod audit_record;
pub mod export;
pub mod graphql;
pub mod trail;

pub use graphql::AuditQuery;
pub use trail::{Actor, Change};
