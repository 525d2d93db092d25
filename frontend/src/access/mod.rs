//! Signing in and out. The session itself is an HttpOnly cookie the app never sees; it only
//! asks the server who is signed in.

use graphql_client::GraphQLQuery;
use leptos::prelude::*;
use steward_shared::access::MIN_PASSWORD_CHARS;

use crate::api;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql",
    response_derives = "Debug, Clone"
)]
pub struct Viewer;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "src/access/queries.graphql",
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

/// Whether someone is signed in, as far as the app knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    Checking,
    SignedOut,
    SignedIn { email: String },
}

/// Asks the server who is signed in (the cookie decides).
pub async fn current_session() -> Session {
    match api::run::<Viewer>(viewer::Variables).await {
        Ok(data) => Session::SignedIn {
            email: data.viewer.account.email,
        },
        Err(_) => Session::SignedOut,
    }
}

pub async fn sign_out() -> Result<(), api::ApiError> {
    api::run::<SignOut>(sign_out::Variables).await.map(|_| ())
}

#[component]
pub fn SignInForm(#[prop(into)] on_signed_in: Callback<String>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<api::ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let variables = sign_in::Variables {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::run::<SignIn>(variables).await {
                Ok(data) => {
                    password.set(String::new());
                    on_signed_in.run(data.sign_in.account.email);
                }
                Err(failure) => error.set(Some(failure)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="sign-in" on:submit=submit data-test="sign-in" novalidate=false>
            <h1>"Sign in to Steward"</h1>
            <label for="sign-in-email">"E-mail address"</label>
            <input id="sign-in-email" name="email" type="email" autocomplete="username" required
                bind:value=email/>
            <label for="sign-in-password">"Password"</label>
            <input id="sign-in-password" name="password" type="password"
                autocomplete="current-password" required
                minlength=MIN_PASSWORD_CHARS.to_string() bind:value=password/>
            {move || error.get().map(|failure| {
                let text = failure.message.clone();
                view! {
                    <p class="error" role="alert" data-error-code=failure.code_label()>
                        {format!("{text} ({}{})", failure.code_label(),
                            failure.request_id.as_deref().map(|id| format!(", request {id}")).unwrap_or_default())}
                    </p>
                }
            })}
            <button type="submit" disabled=move || busy.get()>"Sign in"</button>
        </form>
    }
}
