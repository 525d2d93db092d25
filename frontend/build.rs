//! Translation tables from `locales/*.json`, checked at build time.
//!
//! Each file is one language: nested keys with strings, plus `_locale` (its tag, its own name,
//! its writing direction). `en.json` is the reference: every other file must have exactly its
//! keys, and each string the same `{placeholders}`, or the build fails naming what is missing.
//! Adding a language is adding a file.
//!
//! Generates `Locale` (one variant per file), `Key` (one variant per key) and the tables.
//! Strings are `&'static str` in the binary: no parsing at run time, nothing to download.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

const REFERENCE: &str = "en";

struct LocaleFile {
    tag: String,
    name: String,
    dir: String,
    strings: BTreeMap<String, String>,
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if prefix.is_empty() && key == "_locale" {
                    continue;
                }
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, child, out)?;
            }
            Ok(())
        }
        Value::String(text) => {
            out.insert(prefix.to_owned(), text.clone());
            Ok(())
        }
        other => Err(format!(
            "{prefix}: expected a string or an object, found {other}"
        )),
    }
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                found.insert(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    found
}

fn read(path: &Path) -> Result<LocaleFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let meta = |field: &str| {
        json["_locale"][field]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: _locale.{field} is missing", path.display()))
    };
    let mut strings = BTreeMap::new();
    flatten("", &json, &mut strings).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(LocaleFile {
        tag: meta("tag")?,
        name: meta("name")?,
        dir: meta("dir")?,
        strings,
    })
}

fn variant(key: &str) -> String {
    key.split(['.', '_', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn main() {
    println!("cargo::rerun-if-changed=locales");
    if let Err(error) = generate() {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), String> {
    let mut files: Vec<LocaleFile> = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("locales")
        .map_err(|e| format!("locales/: {e}"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    for path in &paths {
        println!("cargo::rerun-if-changed={}", path.display());
        files.push(read(path)?);
    }
    files.sort_by_key(|file| (file.tag != REFERENCE, file.tag.clone()));
    let reference = files
        .first()
        .filter(|file| file.tag == REFERENCE)
        .ok_or_else(|| format!("locales/{REFERENCE}.json is missing"))?;
    let mut problems = Vec::new();
    for file in &files[1..] {
        for key in reference.strings.keys() {
            match file.strings.get(key) {
                None => problems.push(format!("{}: missing key {key}", file.tag)),
                Some(text) if placeholders(text) != placeholders(&reference.strings[key]) => {
                    problems.push(format!(
                        "{}: {key} must use the placeholders {:?}",
                        file.tag,
                        placeholders(&reference.strings[key])
                    ))
                }
                Some(_) => {}
            }
        }
        for key in file.strings.keys() {
            if !reference.strings.contains_key(key) {
                problems.push(format!(
                    "{}: key {key} is not in {REFERENCE}.json",
                    file.tag
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "translations do not match: {}",
            problems.join("; ")
        ));
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// A language the app speaks (one per file in `locales/`)."
    );
    let _ = writeln!(out, "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]");
    let _ = writeln!(out, "pub enum Locale {{");
    for file in &files {
        let _ = writeln!(out, "    {},", variant(&file.tag));
    }
    let _ = writeln!(out, "}}\n");
    let _ = writeln!(out, "impl Locale {{");
    let _ = writeln!(
        out,
        "    pub const ALL: &'static [Locale] = &[{}];",
        files
            .iter()
            .map(|f| format!("Locale::{}", variant(&f.tag)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (name, field) in [("tag", 0), ("name", 1), ("dir", 2)] {
        let _ = writeln!(
            out,
            "    pub fn {name}(self) -> &'static str {{\n        match self {{"
        );
        for file in &files {
            let value = match field {
                0 => &file.tag,
                1 => &file.name,
                _ => &file.dir,
            };
            let _ = writeln!(
                out,
                "            Locale::{} => {value:?},",
                variant(&file.tag)
            );
        }
        let _ = writeln!(out, "        }}\n    }}");
    }
    let _ = writeln!(
        out,
        "    fn table(self) -> &'static [&'static str] {{\n        match self {{"
    );
    for file in &files {
        let _ = writeln!(
            out,
            "            Locale::{} => &{},",
            variant(&file.tag),
            file.tag.to_uppercase().replace('-', "_")
        );
    }
    let _ = writeln!(out, "        }}\n    }}\n}}\n");

    let _ = writeln!(
        out,
        "/// A translated text, by its key in `locales/en.json`."
    );
    let _ = writeln!(out, "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]");
    // Texts of pages still being built are listed before they are used.
    let _ = writeln!(out, "#[allow(dead_code)]");
    let _ = writeln!(out, "pub enum Key {{");
    for key in reference.strings.keys() {
        let _ = writeln!(out, "    /// `{key}`: {:?}", reference.strings[key]);
        let _ = writeln!(out, "    {},", variant(key));
    }
    let _ = writeln!(out, "}}\n");
    for file in &files {
        let _ = writeln!(
            out,
            "static {}: [&str; {}] = [",
            file.tag.to_uppercase().replace('-', "_"),
            reference.strings.len()
        );
        for key in reference.strings.keys() {
            let _ = writeln!(out, "    {:?},", file.strings[key]);
        }
        let _ = writeln!(out, "];\n");
    }
    let _ = writeln!(
        out,
        "/// The text of `key` in `locale`.\npub fn text(locale: Locale, key: Key) -> &'static str {{\n    locale.table()[key as usize]\n}}"
    );
    let dest =
        Path::new(&std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("translations.rs");
    std::fs::write(&dest, out).map_err(|e| format!("{}: {e}", dest.display()))
}
