//! A horizontal bar chart drawn as SVG: a label and a value on every bar, a tooltip on hover,
//! and a title for screen readers. It scales with its container, so it fits a phone.

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    /// The value as shown (formatted for the locale).
    pub shown: String,
    /// Where the bar leads (the records behind it), if anywhere.
    pub href: Option<String>,
}

// Whole units only: formatting floats would pull the float printer into the bundle.
const WIDTH: i64 = 320;
// Tall enough that each bar is a 44 px touch target on a phone.
const ROW: i64 = 46;
const LABEL: i64 = 160;
const VALUE: i64 = 40;

#[component]
pub fn BarChart(
    /// Its id, for the caption it is labelled by.
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] bars: Signal<Vec<Bar>>,
) -> impl IntoView {
    let caption = format!("{id}-title");
    let labelled_by = caption.clone();
    view! {
        <figure class="bar-chart" data-test=id>
            <figcaption id=caption>{move || title.get()}</figcaption>
            {move || {
                let bars = bars.get();
                let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
                let height = ROW * bars.len() as i64;
                let labelled_by = labelled_by.clone();
                view! {
                    <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby=labelled_by>
                        {bars
                            .into_iter()
                            .enumerate()
                            .map(|(i, bar)| {
                                let y = i as i64 * ROW;
                                let length = ((WIDTH - LABEL - VALUE) * bar.value.max(0) / max).max(1);
                                let tip = format!("{}: {}", bar.label, bar.shown);
                                // Without an address the `<a>` is a plain group, not a link. The
                                // outer `<g>` makes the macro create an SVG `<a>`, not an HTML one.
                                view! {
                                    <g><a href=bar.href aria-label=tip.clone()><g class="bar">
                                        <title>{tip.clone()}</title>
                                        <rect class="hit" x="0" y=y width=WIDTH height=ROW/>
                                        <text x=LABEL - 6 y=y + ROW / 2 text-anchor="end" dominant-baseline="middle">{bar.label.clone()}</text>
                                        <rect x=LABEL y=y + 13 width=length height=ROW - 26 rx="2"/>
                                        <text class="value" x=LABEL + length + 4 y=y + ROW / 2 dominant-baseline="middle">
                                            {bar.shown.clone()}
                                        </text>
                                    </g></a></g>
                                }
                            })
                            .collect_view()}
                    </svg>
                }
            }}
        </figure>
    }
}
