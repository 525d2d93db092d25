//! Importing the ERP's grant list: choose a CSV or XLSX file and Steward previews it at once
//! (new, changed and unchanged grants, every problem by row and column); map the columns it
//! did not recognise (it remembers them for next time), check again, then import. Progress
//! comes from the server line by line while it reads, checks and writes.

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use steward_shared::grants::import::{FieldColumn, GrantField, GrantImportReport};
use steward_shared::imports::{ImportPhase, ImportProblem, ImportProgress, RowError};
use wasm_bindgen::JsValue;

use crate::api::{self, ApiError};
use crate::components::ErrorView;
use crate::i18n::{I18n, Key, tr, use_i18n};

/// Where the page is.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    /// Sent; the latest progress the server reported.
    Running(Option<ImportProgress>),
    Done(GrantImportReport),
    Failed(ApiError),
}

/// A problem with a row in the reader's language; a field named in it by its label.
fn problem_text(i18n: I18n, error: &RowError) -> String {
    use ImportProblem as P;
    let key = match error.problem {
        P::ColumnNotInFile => Key::ImportsProblemColumnNotInFile,
        P::FieldNotMapped => Key::ImportsProblemFieldNotMapped,
        P::Missing => Key::ImportsProblemMissing,
        P::TooLong => Key::ImportsProblemTooLong,
        P::NotADate => Key::ImportsProblemNotADate,
        P::NotAnAmount => Key::ImportsProblemNotAnAmount,
        P::NotACurrency => Key::ImportsProblemNotACurrency,
        P::UnknownUnit => Key::ImportsProblemUnknownUnit,
        P::NotAnEmail => Key::ImportsProblemNotAnEmail,
        P::UnknownPerson => Key::ImportsProblemUnknownPerson,
        P::UnknownStatus => Key::ImportsProblemUnknownStatus,
        P::Repeated => Key::ImportsProblemRepeated,
        P::EndBeforeStart => Key::ImportsProblemEndBeforeStart,
        P::InFuture => Key::ImportsProblemInFuture,
        P::BeforePreviousStep => Key::ImportsProblemBeforePreviousStep,
        P::StatusNeedsDate => Key::ImportsProblemStatusNeedsDate,
        P::ClosedDateWithOpenStatus => Key::ImportsProblemClosedDateWithOpenStatus,
        P::Unreadable => Key::ImportsProblemUnreadable,
    };
    let detail = match GrantField::parse(&error.detail) {
        Some(field) => i18n.t(field_label(field)),
        None => error.detail.as_str(),
    };
    i18n.tf(key, &[("detail", detail)])
}

fn field_label(field: GrantField) -> Key {
    match field {
        GrantField::Number => Key::GrantsNumber,
        GrantField::Title => Key::GrantsTitle,
        GrantField::Donor => Key::GrantsDonor,
        GrantField::Amount => Key::GrantsAmount,
        GrantField::Currency => Key::GrantsImportCurrency,
        GrantField::AgreementStart => Key::GrantsAgreementStart,
        GrantField::AgreementEnd => Key::GrantsAgreementEnd,
        GrantField::ActivitiesCompletedOn => Key::GrantsActivitiesCompleted,
        GrantField::DonorDeadline => Key::GrantsDonorDeadline,
        GrantField::OperationallyClosedOn => Key::GrantsImportOperationallyClosed,
        GrantField::FinanciallyClosedOn => Key::GrantsFinanciallyClosed,
        GrantField::Officer => Key::GrantsImportOfficerEmail,
        GrantField::OrgUnit => Key::GrantsImportUnitCode,
        GrantField::Status => Key::GrantsImportStatus,
    }
}

/// The mapping as the route takes it: a JSON object of field → column (or null).
fn mapping_json(mapping: &[FieldColumn]) -> String {
    let object = js_sys::Object::new();
    for entry in mapping {
        let column = entry
            .column
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str);
        let _ = js_sys::Reflect::set(&object, &entry.field.code().into(), &column);
    }
    js_sys::JSON::stringify(&object)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

#[component]
pub fn GrantImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let file_input = NodeRef::<html::Input>::new();
    let stage = RwSignal::new(Stage::Idle);
    // The columns chosen on this page; empty until the first preview names them.
    let mapping = RwSignal::new(Vec::<FieldColumn>::new());
    // The mapping changed since the preview shown: check again before importing.
    let edited = RwSignal::new(false);

    let run = move |commit: bool| {
        let Some(file) = file_input
            .get()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        let Ok(form) = web_sys::FormData::new() else {
            return;
        };
        let _ = form.append_with_blob_and_filename("file", &file, &file.name());
        let chosen = mapping.get_untracked();
        if !chosen.is_empty() {
            let _ = form.append_with_str("mapping", &mapping_json(&chosen));
        }
        stage.set(Stage::Running(None));
        let url = if commit {
            "/api/imports/grants?commit=true"
        } else {
            "/api/imports/grants"
        };
        leptos::task::spawn_local(async move {
            let result = api::import::<GrantImportReport>(url, form, move |step| {
                stage.set(Stage::Running(Some(step)))
            })
            .await;
            stage.set(match result {
                Ok(report) => {
                    mapping.set(report.mapping.clone());
                    edited.set(false);
                    Stage::Done(report)
                }
                Err(error) => Stage::Failed(error),
            });
        });
    };
    let choose = move |_| {
        mapping.set(Vec::new());
        run(false);
    };

    let progress = move |step: Option<ImportProgress>| {
        let (text, done, total) = match step {
            None => (i18n.t(Key::GrantsImportSending).to_owned(), 0, 0),
            Some(step) => {
                let counts = [
                    ("done", i18n.number(step.done as i64)),
                    ("total", i18n.number(step.total as i64)),
                ];
                let counts = counts.each_ref().map(|(k, v)| (*k, v.as_str()));
                let text = match step.phase {
                    ImportPhase::Reading => i18n.t(Key::GrantsImportReading).to_owned(),
                    ImportPhase::Checking => i18n.tf(Key::GrantsImportChecking, &counts),
                    ImportPhase::Writing => i18n.tf(Key::GrantsImportWriting, &counts),
                };
                (text, step.done, step.total)
            }
        };
        view! {
            <div class="import-progress" role="status" data-test="import-progress">
                <progress max=total.max(1) value=(total > 0).then_some(done)></progress>
                <p>{text}</p>
            </div>
        }
    };

    view! {
        <p class="muted">{tr(Key::GrantsImportAbout)}</p>
        <div class="field">
            <label for="grant-file">{tr(Key::GrantsImportFile)}</label>
            <input id="grant-file" type="file" node_ref=file_input
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                on:change=choose/>
        </div>
        {move || match stage.get() {
            Stage::Idle => ().into_any(),
            Stage::Running(step) => progress(step).into_any(),
            Stage::Failed(error) => view! { <ErrorView error/> }.into_any(),
            Stage::Done(report) => view! {
                <Report report mapping edited on_run=Callback::new(run)/>
            }.into_any(),
        }}
    }
}

#[component]
fn Report(
    report: GrantImportReport,
    mapping: RwSignal<Vec<FieldColumn>>,
    edited: RwSignal<bool>,
    on_run: Callback<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let n = move |value: usize| i18n.number(value as i64);
    let (rows, new, changed, unchanged) = (
        n(report.rows),
        n(report.new),
        n(report.changed),
        n(report.unchanged),
    );
    let summary = move || {
        i18n.tf(
            Key::GrantsImportSummary,
            &[
                ("rows", &rows),
                ("new", &new),
                ("changed", &changed),
                ("unchanged", &unchanged),
            ],
        )
    };
    let writes = report.new + report.changed;
    let committed = report.committed;
    // Tenths of a second by integer arithmetic: float formatting would add ~10 KB of wasm.
    let seconds = format!(
        "{}.{}",
        report.milliseconds / 1000,
        report.milliseconds % 1000 / 100
    );
    let done_text = {
        let (new, changed) = (n(report.new), n(report.changed));
        move || {
            i18n.tf(
                Key::GrantsImportDone,
                &[("new", &new), ("changed", &changed), ("seconds", &seconds)],
            )
        }
    };
    let donors = report.new_donors.join(", ");
    let error_count = report.error_count;
    let listed = report.errors.len();
    let columns = report.columns.clone();
    view! {
        <section class="import-report" data-test="import-report">
            {committed.then(|| view! {
                <p class="notice" role="status" data-test="import-done">
                    {done_text} " " <A href="/grants/list">{tr(Key::GrantsImportSee)}</A>
                </p>
            })}
            <p data-test="import-summary">{summary}</p>
            {(!donors.is_empty()).then(|| view! {
                <p>{move || i18n.tf(Key::GrantsImportNewDonors, &[("names", &donors)])}</p>
            })}
            {(error_count > 0).then(|| {
                let count = n(error_count);
                let shown = n(listed);
                view! {
                    <h2 class="problems" data-test="import-problems">
                        {move || i18n.tf(Key::GrantsImportProblems, &[("count", &count)])}
                    </h2>
                    {(listed < error_count).then(|| view! {
                        <p class="muted">{move || i18n.tf(Key::GrantsImportListed, &[("shown", &shown)])}</p>
                    })}
                    <ol class="import-problems">
                        {report.errors.into_iter().map(|e| {
                            let place = match e.column.as_str() {
                                "" => e.row.to_string(),
                                column => format!("{} · {column}", e.row),
                            };
                            view! {
                                <li data-test="import-error">
                                    <span class="muted">{tr(Key::GrantsImportRow)} " " {place}</span>
                                    ": " {move || problem_text(i18n, &e)}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
            })}
            {(!report.changes.is_empty()).then(|| view! {
                <h2>{tr(Key::GrantsImportChanges)}</h2>
                <ul class="import-changes">
                    {report.changes.into_iter().map(|change| {
                        let what = move || if change.new {
                            i18n.t(Key::GrantsImportNew).to_owned()
                        } else {
                            change.fields.iter().map(|f| i18n.t(field_label(*f))).collect::<Vec<_>>().join(", ")
                        };
                        view! {
                            <li data-test="import-change">
                                <span class="muted">{tr(Key::GrantsImportRow)} " " {change.row}</span> " · "
                                <strong>{change.number}</strong> ": " {what}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <h2>{tr(Key::GrantsImportMapping)}</h2>
            <p class="muted">{tr(Key::GrantsImportMappingAbout)}</p>
            <div class="mapping">
                {GrantField::ALL.into_iter().map(|field| {
                    let id = format!("map-{}", field.code());
                    let options = columns.clone();
                    let selected = move || {
                        mapping.read().iter().find(|m| m.field == field).and_then(|m| m.column.clone()).unwrap_or_default()
                    };
                    let pick = move |ev: leptos::ev::Event| {
                        let value = event_target_value(&ev);
                        mapping.update(|entries| {
                            if let Some(entry) = entries.iter_mut().find(|m| m.field == field) {
                                entry.column = (!value.is_empty()).then_some(value);
                            }
                        });
                        edited.set(true);
                    };
                    view! {
                        <div class="field">
                            <label for=id.clone()>
                                {tr(field_label(field))}
                                {field.required().then(|| view! { " " <span class="muted">"("{tr(Key::GrantsImportRequired)}")"</span> })}
                            </label>
                            <select id=id on:change=pick>
                                <option value="" selected=move || selected().is_empty()>{tr(Key::GrantsImportNotInFile)}</option>
                                {options.into_iter().map(|column| {
                                    let (value, this) = (column.clone(), column.clone());
                                    view! {
                                        <option value=value selected=move || selected() == this>{column}</option>
                                    }
                                }).collect_view()}
                            </select>
                        </div>
                    }
                }).collect_view()}
            </div>
            <p class="actions">
                <button type="button" class="secondary" on:click=move |_| on_run.run(false) data-test="import-check">
                    {tr(Key::GrantsImportCheck)}
                </button>
                {(!committed && error_count == 0 && writes > 0).then(|| {
                    let count = n(writes);
                    view! {
                        " "
                        <button type="button" disabled=move || edited.get() on:click=move |_| on_run.run(true) data-test="import-commit">
                            {move || i18n.tf(Key::GrantsImportCommit, &[("count", &count)])}
                        </button>
                    }
                })}
            </p>
            {(!committed && error_count == 0 && writes == 0).then(|| view! {
                <p class="muted" data-test="import-nothing">{tr(Key::GrantsImportNothing)}</p>
            })}
        </section>
    }
}
