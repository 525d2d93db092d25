//! The Steward browser app: Leptos, client-side rendered, compiled to WebAssembly.

mod access;
mod api;
mod organisation;

use access::Session;
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let session = RwSignal::new(Session::Checking);
    leptos::task::spawn_local(async move {
        session.set(access::current_session().await);
    });
    let signed_in = Callback::new(move |email: String| session.set(Session::SignedIn { email }));
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            // Signed out locally whatever the answer: the server ends the session if it can.
            let _ = access::sign_out().await;
            session.set(Session::SignedOut);
        });
    };
    view! {
        <header class="app-header">
            <span class="brand">"Steward"</span>
            {move || match session.get() {
                Session::SignedIn { email } => view! {
                    <span class="account" data-test="account">{email}</span>
                    <button type="button" class="sign-out" data-test="sign-out" on:click=sign_out>
                        "Sign out"
                    </button>
                }.into_any(),
                _ => ().into_any(),
            }}
        </header>
        <main class="app-main">
            {move || match session.get() {
                Session::Checking => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Session::SignedOut => view! { <access::SignInForm on_signed_in=signed_in/> }.into_any(),
                Session::SignedIn { .. } => view! { <organisation::OrgUnitsPage/> }.into_any(),
            }}
        </main>
    }
}
