//! The signed-in layout: a header with the navigation (a menu button on a phone), the language
//! switch and the account, then the page.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate};

use super::session::{Session, use_session};
use crate::access;
use crate::administration::may_administer;
use crate::i18n::{Key, Locale, tr, use_i18n};

const AREAS: [(&str, Key); 8] = [
    ("/", Key::NavDashboard),
    ("/logframe", Key::NavLogframe),
    ("/calendar", Key::NavCalendar),
    ("/grants", Key::NavGrants),
    ("/reviews", Key::NavReviews),
    ("/accountability", Key::NavAccountability),
    ("/organisation", Key::NavOrganisation),
    ("/administration", Key::NavAdministration),
];

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="language">
            <span class="visually-hidden">{tr(Key::LanguageLabel)}</span>
            <select data-test="language" on:change=move |event| {
                if let Some(locale) = Locale::from_tag(&event_target_value(&event)) {
                    i18n.set_locale(locale);
                }
            }>
                {Locale::ALL
                    .iter()
                    .map(|locale| {
                        let locale = *locale;
                        view! {
                            <option value=locale.tag() lang=locale.tag()
                                selected=move || i18n.locale() == locale>
                                {locale.name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn Shell() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let menu_open = RwSignal::new(false);

    // Not signed in (at start, or the session ended): to the sign-in page, and back afterwards.
    Effect::new(move |_| {
        if session.get() == Session::SignedOut {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            navigate(
                &format!("/sign-in?next={}", js_sys::encode_uri_component(&here)),
                Default::default(),
            );
        }
    });
    // Following a link closes the phone menu.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });

    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            // Signed out here whatever the answer: the server ends the session when it can.
            let _ = access::sign_out().await;
            session.set(Session::SignedOut);
        });
    };

    view! {
        <a class="skip-link" href="#main">{tr(Key::NavSkip)}</a>
        <header class="app-header">
            <button type="button" class="menu-toggle" aria-controls="main-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|open| *open = !*open)>
                <span aria-hidden="true">"☰"</span>
                <span class="visually-hidden">{tr(Key::NavMenu)}</span>
            </button>
            <a class="brand" href="/">{tr(Key::AppName)}</a>
            <nav id="main-nav" class="main-nav" class:open=move || menu_open.get()
                aria-label=tr(Key::NavMain)>
                <ul>
                    {AREAS
                        .iter()
                        .map(|(href, label)| {
                            let label = *label;
                            let shown = move || {
                                *href != "/administration"
                                    || matches!(session.get(), Session::SignedIn { operations, .. } if may_administer(&operations))
                            };
                            view! {
                                <li class:hidden=move || !shown()>
                                    <A href=*href exact=*href == "/">{tr(label)}</A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <div class="header-tools">
                <LanguageSwitch/>
                {move || match session.get() {
                    Session::SignedIn { email, .. } => {
                        let title = email.clone();
                        view! {
                            <A href="/account" attr:class="account" attr:data-test="account" attr:title=title>
                                {move || email.clone()}
                            </A>
                            <button type="button" class="sign-out" data-test="sign-out" on:click=sign_out>
                                {tr(Key::SessionSignOut)}
                            </button>
                        }.into_any()
                    }
                    _ => ().into_any(),
                }}
            </div>
        </header>
        <main id="main" class="app-main" tabindex="-1">
            {move || match session.get() {
                Session::SignedIn { .. } => view! { <Outlet/> }.into_any(),
                _ => view! { <crate::components::Loading/> }.into_any(),
            }}
        </main>
    }
}
