//! Whether someone is signed in, shared through context. The session itself is an HttpOnly
//! cookie the app never sees: it asks the server (`viewer`) once at start, and any answer
//! `UNAUTHENTICATED` later marks it signed out, which sends the user to sign in and back.

use leptos::prelude::*;
use steward_shared::access::Operation;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    Checking,
    SignedOut,
    /// Who is signed in and what they may do (for menus only: the server checks every request).
    SignedIn {
        email: String,
        operations: Vec<Operation>,
    },
}

impl Session {
    pub fn may(&self, operation: Operation) -> bool {
        matches!(self, Session::SignedIn { operations, .. } if operations.contains(&operation))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct SessionState(RwSignal<Session>);

impl SessionState {
    pub fn get(self) -> Session {
        self.0.get()
    }

    pub fn set(self, session: Session) {
        if self.0.get_untracked() != session {
            self.0.set(session);
        }
    }
}

pub fn provide_session() -> SessionState {
    let state = SessionState(RwSignal::new(Session::Checking));
    provide_context(state);
    state
}

pub fn use_session() -> SessionState {
    use_context::<SessionState>().unwrap_or(SessionState(RwSignal::new(Session::Checking)))
}

/// Where to go after signing in: a path of this app only (never another site).
pub fn safe_return_path(raw: Option<String>) -> String {
    match raw {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/sign-in") =>
        {
            path
        }
        _ => "/".to_owned(),
    }
}
