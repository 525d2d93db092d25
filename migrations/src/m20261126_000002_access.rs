//! Who may do what, and the record of what was done: user accounts (each belongs to a person),
//! role assignments with a scope, sessions, API tokens, failed sign-ins (for throttling), the audit
//! trail and the security log.
//!
//! Secrets are never stored: sessions and tokens are kept as SHA-256 digests of the random
//! values handed out, passwords as Argon2id hashes.
//!
//! The audit trail and the security log are append-only, enforced by triggers in the database
//! itself, so not even a bug in Steward (or a hand-written UPDATE) can rewrite history.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OrgUnit {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    PersonId,
    Email,
    PasswordHash,
    Active,
    PasswordChangedAt,
    DeactivatedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoleAssignment {
    Table,
    Id,
    AccountId,
    Role,
    OrgUnitId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserSession {
    Table,
    Id,
    TokenDigest,
    AccountId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Address,
    UserAgent,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    AccountId,
    Name,
    TokenDigest,
    Prefix,
    ReadOnly,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum SignInFailure {
    Table,
    Id,
    Key,
    At,
}

#[derive(DeriveIden)]
enum AuditRecord {
    Table,
    Id,
    At,
    ActorAccountId,
    Actor,
    RequestId,
    Entity,
    RecordId,
    Action,
    Before,
    After,
    Reason,
}

#[derive(DeriveIden)]
enum SecurityEvent {
    Table,
    Id,
    At,
    Kind,
    AccountId,
    Email,
    Address,
    UserAgent,
    Detail,
    RequestId,
}

const APPEND_ONLY_TABLES: [&str; 2] = ["audit_record", "security_event"];

fn append_only_sql(backend: DbBackend) -> Vec<String> {
    match backend {
        DbBackend::Postgres => {
            let mut statements = vec![
                "CREATE FUNCTION steward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'the % table is append-only: its rows cannot be changed or removed', TG_TABLE_NAME; END $$"
                    .to_owned(),
            ];
            for table in APPEND_ONLY_TABLES {
                statements.push(format!(
                    "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION steward_append_only()"
                ));
                statements.push(format!(
                    "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION steward_append_only()"
                ));
            }
            statements
        }
        _ => APPEND_ONLY_TABLES
            .iter()
            .flat_map(|table| {
                ["UPDATE", "DELETE"].map(|event| {
                    format!(
                        "CREATE TRIGGER {table}_no_{} BEFORE {event} ON {table} \
                         BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only: its rows cannot be changed or removed'); END",
                        event.to_lowercase()
                    )
                })
            })
            .collect(),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(pk_auto(Account::Id))
                    .col(integer_uniq(Account::PersonId))
                    .col(string_len_uniq(Account::Email, 254))
                    .col(string_len_null(Account::PasswordHash, 256))
                    .col(boolean(Account::Active).default(true))
                    .col(timestamp_with_time_zone_null(Account::PasswordChangedAt))
                    .col(timestamp_with_time_zone_null(Account::DeactivatedAt))
                    .col(integer(Account::Version).default(1))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .col(timestamp_with_time_zone(Account::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_account_person",
                        (Account::Table, Account::PersonId),
                        (Person::Table, Person::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleAssignment::Table)
                    .col(pk_auto(RoleAssignment::Id))
                    .col(integer(RoleAssignment::AccountId))
                    .col(string_len(RoleAssignment::Role, 32))
                    .col(integer_null(RoleAssignment::OrgUnitId))
                    .col(timestamp_with_time_zone(RoleAssignment::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_role_assignment_account",
                        (RoleAssignment::Table, RoleAssignment::AccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_role_assignment_unit",
                        (RoleAssignment::Table, RoleAssignment::OrgUnitId),
                        (OrgUnit::Table, OrgUnit::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_role_assignment_account",
                RoleAssignment::Table,
                &["account_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserSession::Table)
                    .col(pk_auto(UserSession::Id))
                    .col(string_len_uniq(UserSession::TokenDigest, 64))
                    .col(integer(UserSession::AccountId))
                    .col(timestamp_with_time_zone(UserSession::CreatedAt))
                    .col(timestamp_with_time_zone(UserSession::LastSeenAt))
                    .col(timestamp_with_time_zone(UserSession::ExpiresAt))
                    .col(string_len_null(UserSession::Address, 64))
                    .col(string_len_null(UserSession::UserAgent, 256))
                    .foreign_key(&mut fk(
                        "fk_user_session_account",
                        (UserSession::Table, UserSession::AccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_session_account",
                UserSession::Table,
                &["account_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(pk_auto(ApiToken::Id))
                    .col(integer(ApiToken::AccountId))
                    .col(string_len(ApiToken::Name, 100))
                    .col(string_len_uniq(ApiToken::TokenDigest, 64))
                    .col(string_len(ApiToken::Prefix, 16))
                    .col(boolean(ApiToken::ReadOnly).default(false))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(timestamp_with_time_zone(ApiToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .foreign_key(&mut fk(
                        "fk_api_token_account",
                        (ApiToken::Table, ApiToken::AccountId),
                        (Account::Table, Account::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_api_token_account",
                ApiToken::Table,
                &["account_id"],
            ))
            .await?;

        // One row per failed sign-in, per account and per address: counting rows in a window
        // needs no read-modify-write, so copies of the server cannot race on a counter.
        manager
            .create_table(
                Table::create()
                    .table(SignInFailure::Table)
                    .col(big_pk_auto(SignInFailure::Id))
                    .col(string_len(SignInFailure::Key, 300))
                    .col(timestamp_with_time_zone(SignInFailure::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_sign_in_failure_key",
                SignInFailure::Table,
                &["key", "at"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_sign_in_failure_at",
                SignInFailure::Table,
                &["at"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditRecord::Table)
                    .col(big_pk_auto(AuditRecord::Id))
                    .col(timestamp_with_time_zone(AuditRecord::At))
                    .col(integer_null(AuditRecord::ActorAccountId))
                    .col(string_len(AuditRecord::Actor, 300))
                    .col(string_len_null(AuditRecord::RequestId, 64))
                    .col(string_len(AuditRecord::Entity, 64))
                    .col(string_len(AuditRecord::RecordId, 64))
                    .col(string_len(AuditRecord::Action, 32))
                    .col(text_null(AuditRecord::Before))
                    .col(text_null(AuditRecord::After))
                    .col(text_null(AuditRecord::Reason))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_audit_record_record",
                &["entity", "record_id", "id"][..],
            ),
            ("idx_audit_record_actor", &["actor_account_id", "id"][..]),
            ("idx_audit_record_at", &["at"][..]),
        ] {
            manager
                .create_index(index(name, AuditRecord::Table, columns))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(SecurityEvent::Table)
                    .col(big_pk_auto(SecurityEvent::Id))
                    .col(timestamp_with_time_zone(SecurityEvent::At))
                    .col(string_len(SecurityEvent::Kind, 32))
                    .col(integer_null(SecurityEvent::AccountId))
                    .col(string_len_null(SecurityEvent::Email, 254))
                    .col(string_len_null(SecurityEvent::Address, 64))
                    .col(string_len_null(SecurityEvent::UserAgent, 256))
                    .col(text_null(SecurityEvent::Detail))
                    .col(string_len_null(SecurityEvent::RequestId, 64))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_security_event_at", &["at"][..]),
            ("idx_security_event_account", &["account_id", "id"][..]),
        ] {
            manager
                .create_index(index(name, SecurityEvent::Table, columns))
                .await?;
        }

        let connection = manager.get_connection();
        for statement in append_only_sql(manager.get_database_backend()) {
            connection.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SecurityEvent::Table.into_iden(),
            AuditRecord::Table.into_iden(),
            SignInFailure::Table.into_iden(),
            ApiToken::Table.into_iden(),
            UserSession::Table.into_iden(),
            RoleAssignment::Table.into_iden(),
            Account::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS steward_append_only()")
                .await?;
        }
        Ok(())
    }
}
