//! One person: grade, e-mail address, current posts (head, acting), earlier posts, and roles in
//! the reform (change agent, task force member, staff representative).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{Person, labels, person};
use crate::api;
use crate::components::ErrorView;
use crate::components::states::{load, show};
use crate::i18n::{Key, tr, use_i18n};

#[component]
pub fn PersonPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let person = load::<Person>(move || person::Variables {
        id: params.read().get("id").unwrap_or_default(),
        language: labels::name_language(i18n.locale()),
    });
    view! {
        <article class="person" data-test="person">
            <A href="/organisation/people" attr:class="back">{tr(Key::PersonBack)}</A>
            {show::<Person, _>(person, |data| match data.node {
                Some(person::PersonNode::Person(p)) => view! { <PersonDetails person=p/> }.into_any(),
                _ => view! { <ErrorView error=api::ApiError::not_found()/> }.into_any(),
            })}
        </article>
    }
}

#[component]
fn PersonDetails(person: person::PersonNodeOnPerson) -> impl IntoView {
    let i18n = use_i18n();
    let posts = person.memberships.clone();
    let history: Vec<_> = person
        .membership_history
        .iter()
        .filter(|m| m.valid_to.is_some())
        .cloned()
        .collect();
    let flags = person.flags.clone();
    let active = person.active;
    view! {
        <h2 data-test="person-name">{person.name.clone()}</h2>
        <dl class="facts">
            <dt>{tr(Key::PeopleGrade)}</dt>
            <dd>{person.grade.as_ref().map(|g| g.code.clone())}</dd>
            <dt>{tr(Key::PersonEmail)}</dt>
            <dd>{person.email.clone().map(|email| view! { <a href=format!("mailto:{email}")>{email.clone()}</a> })}</dd>
            <dt>{tr(Key::PeopleStatus)}</dt>
            <dd>{move || i18n.t(if active { Key::PeopleActive } else { Key::PeopleInactive })}</dd>
        </dl>
        <h3>{tr(Key::PersonPosts)}</h3>
        {if posts.is_empty() {
            view! { <p class="muted">{tr(Key::PersonNoPosts)}</p> }.into_any()
        } else {
            view! {
                <ul class="posts" data-test="posts">
                    {posts.into_iter().map(|post| {
                        let since = post.valid_from.clone();
                        view! {
                            <li>
                                <strong>{post.title}</strong>
                                {post.acting.then(|| view! { " " <span class="badge">{tr(Key::PersonActing)}</span> })}
                                {post.is_head.then(|| view! { " " <span class="badge">{tr(Key::PersonHead)}</span> })}
                                <br/>
                                {post.org_unit.map(|u| format!("{} ({})", u.name, u.code))}
                                " · "
                                {move || i18n.tf(Key::PersonSince, &[("date", &i18n.date(&since))])}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(!flags.is_empty()).then(|| view! {
            <h3>{tr(Key::PersonRoles)}</h3>
            <ul class="flags">
                {flags.into_iter().map(|flag| {
                    let key = labels::flag(flag.kind);
                    let since = flag.since.clone();
                    view! { <li>{tr(key)} " · " {move || i18n.tf(Key::PersonSince, &[("date", &i18n.date(&since))])}</li> }
                }).collect_view()}
            </ul>
        })}
        {(!history.is_empty()).then(|| view! {
            <h3>{tr(Key::PersonHistory)}</h3>
            <ul class="posts history">
                {history.into_iter().map(|post| {
                    let from = post.valid_from.clone();
                    let to = post.valid_to.clone().unwrap_or_default();
                    view! {
                        <li>
                            {post.title} " · " {post.org_unit.map(|u| u.name)} " · "
                            {move || i18n.tf(Key::PersonUntil, &[("from", &i18n.date(&from)), ("to", &i18n.date(&to))])}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}
