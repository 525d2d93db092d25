//! Integration tests: the real server over HTTP, on SQLite and PostgreSQL.
//! One binary for all of them (fast to build, one place to look), one module per area.

mod access;
mod audit;
mod cli;
mod database;
mod grant_import;
mod grants;
mod graphql_http;
mod health;
mod organisation;
mod organisation_changes;
mod permissions;
mod schema;
mod static_files;
mod transfer;
