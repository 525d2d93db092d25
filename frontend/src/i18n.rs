//! Translation and locale formatting.
//!
//! Texts come from `locales/*.json` through tables generated at build time (`build.rs`), which
//! refuses to build when a language lacks a key or a placeholder. Dates and numbers are formatted
//! by the browser's `Intl`, so no locale data ships in the bundle. The chosen language is kept in
//! `localStorage`; the first visit follows the browser's languages.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

include!(concat!(env!("OUT_DIR"), "/translations.rs"));

const STORAGE_KEY: &str = "steward.locale";

/// The app's language, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl Locale {
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let wanted = tag.to_ascii_lowercase();
        Locale::ALL.iter().copied().find(|locale| {
            wanted == locale.tag() || wanted.starts_with(&format!("{}-", locale.tag()))
        })
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn initial_locale() -> Locale {
    if let Some(stored) = storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|tag| Locale::from_tag(&tag))
    {
        return stored;
    }
    web_sys::window()
        .map(|w| w.navigator().languages())
        .into_iter()
        .flat_map(|languages| languages.iter().collect::<Vec<_>>())
        .filter_map(|value| value.as_string())
        .find_map(|tag| Locale::from_tag(&tag))
        .unwrap_or(Locale::ALL[0])
}

/// Puts the language in context and keeps `<html lang dir>` in step with it.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
    };
    provide_context(i18n);
    Effect::new(move |_| {
        let locale = i18n.locale.get();
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", locale.tag());
            let _ = html.set_attribute("dir", locale.dir());
        }
    });
    i18n
}

/// The text of `key`, following the language: one closure type for every translated text, so
/// the view code for them is compiled once (a `move || i18n.t(..)` per text would each be a
/// type of its own and cost bundle size).
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n {
        locale: RwSignal::new(Locale::ALL[0]),
    })
}

impl I18n {
    pub fn locale(self) -> Locale {
        self.locale.get()
    }

    /// Switches the language and remembers it on this device.
    pub fn set_locale(self, locale: Locale) {
        self.locale.set(locale);
        if let Some(storage) = storage() {
            let _ = storage.set_item(STORAGE_KEY, locale.tag());
        }
    }

    /// The text of `key` in the current language (reactive).
    pub fn t(self, key: Key) -> &'static str {
        text(self.locale.get(), key)
    }

    /// The text of `key` with its `{placeholders}` filled in.
    pub fn tf(self, key: Key, values: &[(&str, &str)]) -> String {
        let mut out = self.t(key).to_owned();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// A whole number, grouped the local way (1,346 or 1 346).
    pub fn number(self, value: i64) -> String {
        let tag = self.locale.get().tag();
        js_sys::Number::from(value as f64)
            .to_locale_string(tag)
            .as_string()
            .unwrap_or_else(|| value.to_string())
    }

    /// A number through `Intl.NumberFormat` with these options (e.g. a currency or percent).
    fn format_number(self, value: f64, options: &[(&str, JsValue)]) -> Option<String> {
        let locales = js_sys::Array::of1(&JsValue::from_str(self.locale.get().tag()));
        let settings = js_sys::Object::new();
        for (name, setting) in options {
            js_sys::Reflect::set(&settings, &JsValue::from_str(name), setting).ok()?;
        }
        let format = js_sys::Intl::NumberFormat::new(&locales, &settings).format();
        format
            .call1(&JsValue::NULL, &JsValue::from_f64(value))
            .ok()?
            .as_string()
    }

    /// An amount of money (exact decimal text from the server) in its ISO currency, the local
    /// way: "US$1,250,000.00", "1 250 000,00 €", "US$1,250,000.00" in Chinese.
    pub fn money(self, amount: &str, currency: &str) -> String {
        // The browser parses the decimal text (Rust's float parser would add to the bundle).
        let value = js_sys::Number::parse_float(amount);
        if value.is_nan() {
            return format!("{amount} {currency}");
        }
        self.format_number(
            value,
            &[
                ("style", JsValue::from_str("currency")),
                ("currency", JsValue::from_str(currency)),
            ],
        )
        .unwrap_or_else(|| format!("{amount} {currency}"))
    }

    /// A share (0.788) as a percentage with one decimal, the local way ("78.8%").
    pub fn percent(self, share: f64) -> String {
        self.format_number(
            share,
            &[
                ("style", JsValue::from_str("percent")),
                ("minimumFractionDigits", JsValue::from_f64(1.0)),
                ("maximumFractionDigits", JsValue::from_f64(1.0)),
            ],
        )
        .unwrap_or_default()
    }

    /// A calendar date (`YYYY-MM-DD`) the local way, e.g. "26 Nov 2026" or "2026年11月26日".
    pub fn date(self, iso: &str) -> String {
        let tag = self.locale.get().tag();
        let date = js_sys::Date::new(&JsValue::from_str(&format!("{iso}T00:00:00Z")));
        if date.get_time().is_nan() {
            return iso.to_owned();
        }
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into());
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        date.to_locale_date_string(tag, &options)
            .as_string()
            .unwrap_or_else(|| iso.to_owned())
    }

    /// A moment (RFC 3339) in the viewer's time zone, date and time.
    pub fn date_time(self, rfc3339: &str) -> String {
        let tag = self.locale.get().tag();
        let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
        if date.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
        date.to_locale_string(tag, &options)
            .as_string()
            .unwrap_or_else(|| rfc3339.to_owned())
    }
}
