//! Types and rules used by both the Steward server and the browser app.
//!
//! Everything here compiles for the host and for `wasm32-unknown-unknown`. Heavy or
//! server-only dependencies sit behind the `server` feature.

pub mod access;
pub mod api;
pub mod grants;
pub mod imports;
pub mod organisation;
