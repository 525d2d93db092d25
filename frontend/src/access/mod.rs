//! Signing in and out. The session itself is an HttpOnly cookie the app never sees; the app
//! only asks the server who is signed in.

pub mod account;

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use steward_shared::access::Operation;
use steward_shared::api::ErrorCode;

use crate::api;
use crate::components::FormField;
use crate::components::states::error_text;
use crate::i18n::{Key, tr, use_i18n};
use crate::shell::layout::LanguageSwitch;
use crate::shell::session::{Session, safe_return_path, use_session};

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql",
    extern_enums("Operation"),
    response_derives = "Debug, Clone"
)]
pub struct Viewer;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql",
    extern_enums("Operation"),
    response_derives = "Debug, Clone"
)]
pub struct SignIn;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql",
    response_derives = "Debug, Clone"
)]
pub struct SignOut;

/// Asks the server who is signed in (the cookie decides).
pub async fn current_session() -> Session {
    match api::run::<Viewer>(viewer::Variables).await {
        Ok(data) => Session::SignedIn {
            email: data.viewer.account.email,
            operations: data
                .viewer
                .permissions
                .into_iter()
                .map(|p| p.operation)
                .collect(),
        },
        Err(_) => Session::SignedOut,
    }
}

pub async fn sign_out() -> Result<(), api::ApiError> {
    api::run::<SignOut>(sign_out::Variables).await.map(|_| ())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<api::ApiError>);
    let busy = RwSignal::new(false);
    let next = move || safe_return_path(query.read_untracked().get("next"));

    // Already signed in (a reload of this page): straight on.
    let go_on = navigate.clone();
    Effect::new(move |_| {
        if matches!(session.get(), Session::SignedIn { .. }) {
            go_on(&next(), Default::default());
        }
    });

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed_email = email.get_untracked().trim().to_owned();
        let typed_password = password.get_untracked();
        email_error.set(
            typed_email
                .is_empty()
                .then(|| i18n.t(Key::SessionEmailRequired).to_owned()),
        );
        password_error.set(
            typed_password
                .is_empty()
                .then(|| i18n.t(Key::SessionPasswordRequired).to_owned()),
        );
        if typed_email.is_empty() || typed_password.is_empty() {
            return;
        }
        busy.set(true);
        failure.set(None);
        let variables = sign_in::Variables {
            email: typed_email,
            password: typed_password,
        };
        leptos::task::spawn_local(async move {
            match api::run::<SignIn>(variables).await {
                Ok(data) => {
                    password.set(String::new());
                    session.set(Session::SignedIn {
                        email: data.sign_in.account.email,
                        operations: data
                            .sign_in
                            .permissions
                            .into_iter()
                            .map(|p| p.operation)
                            .collect(),
                    });
                }
                Err(error) => failure.set(Some(error)),
            }
            busy.set(false);
        });
    };

    view! {
        <main id="main" class="sign-in-page">
            <div class="sign-in-top"><LanguageSwitch/></div>
            <form class="sign-in" on:submit=submit data-test="sign-in" novalidate>
                <h1>{tr(Key::SessionTitle)}</h1>
                <p class="muted">{tr(Key::AppTagline)}</p>
                <FormField id="sign-in-email" kind="email" autocomplete="username"
                    label=Signal::derive(tr(Key::SessionEmail).to_owned())
                    value=email error=email_error/>
                <FormField id="sign-in-password" kind="password" autocomplete="current-password"
                    label=Signal::derive(tr(Key::SessionPassword).to_owned())
                    value=password error=password_error/>
                {move || failure.get().map(|error| {
                    let key = match error.code {
                        Some(ErrorCode::Unauthenticated) => Key::SessionWrong,
                        code => error_text(code),
                    };
                    let request = error.request_id.clone();
                    view! {
                        <p class="error" role="alert" data-error-code=error.code_label()>
                            {tr(key)}
                            {request.clone().map(|id| view! {
                                <span class="request-id">{move || i18n.tf(Key::ErrorsRequest, &[("id", &id)])}</span>
                            })}
                        </p>
                    }
                })}
                <button type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(Key::SessionSigningIn) } else { i18n.t(Key::SessionSubmit) }}
                </button>
            </form>
        </main>
    }
}
