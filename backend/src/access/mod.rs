//! Who may do what: accounts (each belongs to a person), sign-in with sessions, API tokens,
//! roles with scopes checked against the permission table in `shared/`, and the security log.

pub mod account;
pub mod accounts;
pub mod api_token;
pub mod caller;
pub mod cli;
pub mod demo;
pub mod gate;
pub mod graphql;
pub mod loaders;
pub mod password;
pub mod permissions;
pub mod role_assignment;
pub mod secrets;
pub mod security_event;
pub mod security_log;
pub mod sessions;
pub mod sign_in_failure;
pub mod tokens;
pub mod user_session;

pub use graphql::{AccessMutation, AccessQuery};
