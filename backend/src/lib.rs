//! The Steward server as a library, so the integration tests start exactly what `steward serve`
//! starts.

pub mod access;
pub mod audit;
pub mod config;
pub mod db;
pub mod demo;
pub mod grants;
pub mod graphql;
pub mod imports;
pub mod organisation;
pub mod request_id;
pub mod security;
pub mod server;
pub mod telemetry;
pub mod transfer;

pub use config::{DatabaseChoice, ServeSettings};
pub use server::Application;
