//! A table with sortable columns and a pager. On a phone each row becomes a card: the cells
//! stack, each labelled by its column (CSS reads the `data-label` of every cell).

use leptos::prelude::*;

use crate::i18n::{Key, tr, use_i18n};

/// A column: its heading, and the server's sort field if it can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub label: Key,
    pub sort: Option<&'static str>,
}

/// Which column the rows are sorted by, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortState {
    pub field: &'static str,
    pub descending: bool,
}

#[component]
pub fn DataTable(
    columns: Vec<Column>,
    sort: RwSignal<SortState>,
    #[prop(into)] caption: Signal<String>,
    /// The rows: `<tr>`s whose `<td>`s carry `data-label`.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let headings = columns
        .into_iter()
        .map(|column| match column.sort {
            None => view! { <th scope="col">{move || i18n.t(column.label)}</th> }.into_any(),
            Some(field) => {
                let aria_sort = move || {
                    let current = sort.get();
                    if current.field != field {
                        "none"
                    } else if current.descending {
                        "descending"
                    } else {
                        "ascending"
                    }
                };
                let toggle = move |_| {
                    sort.update(|current| {
                        if current.field == field {
                            current.descending = !current.descending;
                        } else {
                            *current = SortState { field, descending: false };
                        }
                    })
                };
                view! {
                    <th scope="col" aria-sort=aria_sort>
                        <button type="button" class="sort" on:click=toggle
                            title=move || i18n.tf(Key::CommonSortBy, &[("column", i18n.t(column.label))])>
                            {move || i18n.t(column.label)}
                            <span class="sort-mark" aria-hidden="true">
                                {move || match aria_sort() {
                                    "ascending" => "▲",
                                    "descending" => "▼",
                                    _ => "↕",
                                }}
                            </span>
                        </button>
                    </th>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">{move || caption.get()}</caption>
                <thead><tr>{headings}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// "21–40 of 234", with buttons to the previous and next pages.
#[component]
pub fn Pager(
    /// Position of the first row shown (0-based), rows on this page, rows in all.
    #[prop(into)]
    offset: Signal<usize>,
    #[prop(into)] shown: Signal<usize>,
    #[prop(into)] total: Signal<i64>,
    #[prop(into)] has_previous: Signal<bool>,
    #[prop(into)] has_next: Signal<bool>,
    on_previous: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let range = move || {
        let from = offset.get() as i64 + 1;
        let to = offset.get() as i64 + shown.get() as i64;
        i18n.tf(
            Key::CommonRange,
            &[
                ("from", &i18n.number(from.min(to))),
                ("to", &i18n.number(to)),
                ("total", &i18n.number(total.get())),
            ],
        )
    };
    view! {
        <nav class="pager" aria-label=tr(Key::CommonPages)>
            <button type="button" class="secondary" disabled=move || !has_previous.get()
                on:click=move |_| on_previous.run(())>
                {tr(Key::CommonPrevious)}
            </button>
            <span class="range" aria-live="polite">{range}</span>
            <button type="button" class="secondary" disabled=move || !has_next.get()
                on:click=move |_| on_next.run(())>
                {tr(Key::CommonNext)}
            </button>
        </nav>
    }
}

/// Paging through a connection by cursors, 20 rows a page: the cursors of the earlier pages
/// (to go back) and the current page's `after`.
#[derive(Clone, Copy)]
pub struct Paging {
    earlier: RwSignal<Vec<Option<String>>>,
    pub after: RwSignal<Option<String>>,
}

impl Paging {
    pub fn new() -> Self {
        Paging {
            earlier: RwSignal::new(Vec::new()),
            after: RwSignal::new(None),
        }
    }
    /// Back to the first page (when a filter or the order changes).
    pub fn restart(self) {
        self.earlier.set(Vec::new());
        self.after.set(None);
    }
    /// Position of the first row shown.
    pub fn offset(self) -> usize {
        self.earlier.with_untracked(Vec::len) * 20
    }
    /// The pager for a page of `shown` rows out of `total`.
    pub fn pager(
        self,
        shown: usize,
        total: i64,
        has_next: bool,
        next: Option<String>,
    ) -> impl IntoView {
        view! {
            <Pager offset=self.offset() shown=shown total=total has_previous={self.offset() > 0} has_next=has_next
                on_previous=Callback::new(move |()| {
                    let mut stack = self.earlier.get_untracked();
                    let back = stack.pop().flatten();
                    self.earlier.set(stack);
                    self.after.set(back);
                })
                on_next=Callback::new(move |()| {
                    self.earlier.update(|stack| stack.push(self.after.get_untracked()));
                    self.after.set(next.clone());
                })/>
        }
    }
}

impl Default for Paging {
    fn default() -> Self {
        Self::new()
    }
}
