//! One grant: what it is, its timeline (agreement, activities, deadline, closures), its history
//! from the audit trail, and the next step of its closure for those who may take it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use steward_shared::access::Operation;
use steward_shared::grants::GrantStatus;

use super::{
    ApproveGrantClosure, CompleteGrantActivities, GrantDetail, ReopenGrant, SubmitGrantClosure,
    approve_grant_closure, complete_grant_activities, grant_detail, reopen_grant, state_label,
    submit_grant_closure,
};
use crate::access::account::{Outcome, OutcomeLine, change};
use crate::api::{self, ApiError};
use crate::components::states::{load, show};
use crate::components::{ErrorView, FormField};
use crate::i18n::{Key, tr, use_i18n};
use crate::shell::session::use_session;

#[component]
pub fn GrantPage() -> impl IntoView {
    let params = use_params_map();
    let reload = RwSignal::new(0u32);
    let grant = load::<GrantDetail>(move || {
        reload.track();
        grant_detail::Variables {
            number: params.read().get("number").unwrap_or_default(),
        }
    });
    view! {
        <article class="grant" data-test="grant">
            <A href="/grants/list" attr:class="back">{tr(Key::GrantsAll)}</A>
            {show::<GrantDetail, _>(grant, move |data| match data.grant {
                Some(grant) => view! { <GrantDetails grant reload/> }.into_any(),
                None => view! { <ErrorView error=ApiError::not_found()/> }.into_any(),
            })}
        </article>
    }
}

#[component]
fn GrantDetails(grant: grant_detail::GrantDetailGrant, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let amount = (grant.amount.clone(), grant.currency.clone());
    let overdue = grant.days_overdue;
    let late = overdue > 0;
    // In the order of the steps of a grant's life.
    let timeline: Vec<(String, Key)> = [
        (
            Some(grant.agreement_start.clone()),
            Key::GrantsAgreementStart,
        ),
        (Some(grant.agreement_end.clone()), Key::GrantsAgreementEnd),
        (
            grant.activities_completed_on.clone(),
            Key::GrantsActivitiesCompleted,
        ),
        (grant.donor_deadline.clone(), Key::GrantsDonorDeadline),
        (grant.closure_due_on.clone(), Key::GrantsDueOn),
        (
            grant.operationally_closed_on.clone(),
            Key::GrantsOperationallyClosed,
        ),
        (
            grant.financially_closed_on.clone(),
            Key::GrantsFinanciallyClosed,
        ),
    ]
    .into_iter()
    .filter_map(|(day, key)| Some((day?, key)))
    .collect();
    view! {
        <h2 data-test="grant-number">{grant.number.clone()}</h2>
        <p>{grant.title.clone()}</p>
        <dl class="facts">
            <dt>{tr(Key::GrantsStateLabel)}</dt>
            <dd data-test="grant-state">
                <span class="badge" class:late=late>{tr(state_label(grant.closure_state))}</span>
                {(overdue > 0).then(|| view! { " " {move || i18n.tf(Key::GrantsDaysOverdue, &[("days", &i18n.number(overdue))])} })}
            </dd>
            <dt>{tr(Key::GrantsDonor)}</dt>
            <dd>{grant.donor.map(|d| d.name)}</dd>
            <dt>{tr(Key::GrantsAmount)}</dt>
            <dd>{move || i18n.money(&amount.0, &amount.1)}</dd>
            <dt>{tr(Key::GrantsOfficer)}</dt>
            <dd>{grant.officer.map(|p| view! { <a href=format!("/organisation/people/{}", p.id)>{p.name}</a> })}</dd>
            <dt>{tr(Key::GrantsUnit)}</dt>
            <dd>{grant.org_unit.map(|u| u.code)}</dd>
        </dl>
        <h3>{tr(Key::GrantsTimeline)}</h3>
        <ol class="timeline" data-test="timeline">
            {timeline.into_iter().map(|(day, key)| {
                let shown = day.clone();
                view! { <li><time datetime=day>{move || i18n.date(&shown)}</time> " " {tr(key)}</li> }
            }).collect_view()}
        </ol>
        <NextStep id=grant.id.clone() version=grant.version status=grant.status reload/>
        <h3>{tr(Key::GrantsHistory)}</h3>
        <ul class="history" data-test="history">
            {grant.history.into_iter().map(|entry| {
                let at = entry.at.clone();
                let action = entry.action;
                let action = move || action_label(&action).map_or_else(|| action.clone(), |key| i18n.t(key).to_owned());
                view! {
                    <li>
                        <span class="muted">{move || i18n.date_time(&at)}</span> " "
                        {action} " · " {entry.actor}
                        {entry.reason.map(|r| view! { " · " <em>{r}</em> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The next step of the closure workflow, for those allowed to take it: a day (or, to reopen,
/// a reason) and one button. The server checks the rest (who submitted, the dates' order).
#[component]
fn NextStep(id: String, version: i64, status: GrantStatus, reload: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let (label, operation) = match status {
        GrantStatus::Active => (Key::GrantsCompleteActivities, Operation::EditGrants),
        GrantStatus::ActivitiesCompleted => (Key::GrantsSubmitClosure, Operation::EditGrants),
        GrantStatus::OperationallyClosed => {
            (Key::GrantsApproveClosure, Operation::ApproveGrantClosure)
        }
        GrantStatus::FinanciallyClosed => (Key::GrantsReopen, Operation::ApproveGrantClosure),
        GrantStatus::Cancelled => return ().into_any(),
    };
    if !session.get().may(operation) {
        return ().into_any();
    }
    let reopening = status == GrantStatus::FinanciallyClosed;
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let outcome: Outcome = RwSignal::new(None);
    let i18n = use_i18n();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let typed = value.get_untracked().trim().to_owned();
        error.set(
            typed
                .is_empty()
                .then(|| i18n.t(Key::AccountRequired).to_owned()),
        );
        if typed.is_empty() {
            return;
        }
        let (grant, version) = (id.clone(), version);
        let body = match status {
            GrantStatus::Active => {
                api::request::<CompleteGrantActivities>(complete_grant_activities::Variables {
                    grant,
                    version,
                    day: typed,
                })
            }
            GrantStatus::ActivitiesCompleted => {
                api::request::<SubmitGrantClosure>(submit_grant_closure::Variables {
                    grant,
                    version,
                    day: typed,
                })
            }
            GrantStatus::OperationallyClosed => {
                api::request::<ApproveGrantClosure>(approve_grant_closure::Variables {
                    grant,
                    version,
                    day: typed,
                })
            }
            _ => api::request::<ReopenGrant>(reopen_grant::Variables {
                grant,
                version,
                reason: typed,
            }),
        };
        change(body, outcome, Key::AdminSaved, move || {
            reload.update(|n| *n += 1)
        });
    };
    view! {
        <form class="stacked" on:submit=submit data-test="next-step" novalidate>
            <h3>{tr(label)}</h3>
            <FormField id="next-step-value" kind=if reopening { "text" } else { "date" }
                label=Signal::derive(move || i18n.t(if reopening { Key::AdminReasonLabel } else { Key::GrantsDay }).to_owned())
                value error/>
            <button type="submit">{tr(label)}</button>
            <OutcomeLine outcome/>
        </form>
    }
    .into_any()
}

/// What a history entry's action (as the audit trail records it) says in the reader's
/// language; `None` for an action the app has no words for (shown as recorded).
fn action_label(action: &str) -> Option<Key> {
    Some(match action {
        "complete activities" => Key::GrantsActionCompleted,
        "submit for closure" => Key::GrantsActionSubmitted,
        "approve closure" => Key::GrantsActionApproved,
        "reopen" => Key::GrantsActionReopened,
        "import" => Key::GrantsActionImported,
        _ => return None,
    })
}
