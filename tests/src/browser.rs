//! Headless Chromium through ChromeDriver (Debian's `chromium` and `chromium-driver`).

use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::skip_or_fail;

pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 800);

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "chromedriver";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium whose viewport is `width` × `height`.
    /// `None` (test skipped) when no browser is installed, outside CI.
    pub async fn start((width, height): (u32, u32)) -> Option<Self> {
        if !std::path::Path::new(CHROMIUM).exists() {
            skip_or_fail("Chromium is not installed (apt-get install chromium chromium-driver)");
            return None;
        }
        let port = free_port();
        let driver = match Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
        {
            Ok(driver) => driver,
            Err(e) => {
                skip_or_fail(&format!("ChromeDriver cannot start: {e}"));
                return None;
            }
        };
        let profile = tempfile::tempdir().expect("browser profile directory");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                ],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("cannot start Chromium: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        let browser = Browser {
            client,
            driver,
            _profile: profile,
        };
        browser.fit_viewport(width, height).await;
        Some(browser)
    }

    /// `--window-size` sizes the window, not the page: grow the window until the page's
    /// viewport is exactly the size a phone or desktop has.
    async fn fit_viewport(&self, width: u32, height: u32) {
        let inner = self.viewport().await;
        let (dw, dh) = (
            width.saturating_sub(inner.0),
            height.saturating_sub(inner.1),
        );
        if dw > 0 || dh > 0 {
            let _ = self.client.set_window_size(width + dw, height + dh).await;
        }
    }

    pub async fn viewport(&self) -> (u32, u32) {
        let size = self
            .script("return [window.innerWidth, window.innerHeight]")
            .await;
        let get = |i: usize| size.get(i).and_then(Value::as_u64).unwrap_or(0) as u32;
        (get(0), get(1))
    }

    pub async fn script(&self, js: &str) -> Value {
        self.client
            .execute(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("script {js:?} failed: {e}"))
    }

    /// Waits up to 20 s for `css` to match, then returns its text.
    pub async fn wait_for_text(&self, css: &str) -> String {
        let element = self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
        element.text().await.unwrap_or_default()
    }

    /// Waits up to 20 s until the text of `css` contains `needle`, then returns that text.
    pub async fn wait_for_text_containing(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never showed {needle:?}; it shows {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every uncaught error and unhandled rejection the page has seen (see `errors.js`).
    /// Panics if the collector is not installed, since then errors would go unseen.
    pub async fn javascript_errors(&self) -> Vec<String> {
        match self.script("return window.__stewardErrors ?? null").await {
            Value::Array(errors) => errors
                .into_iter()
                .map(|e| e.as_str().unwrap_or_default().to_owned())
                .collect(),
            other => panic!("the page has no error collector (window.__stewardErrors = {other})"),
        }
    }

    pub async fn assert_no_javascript_errors(&self) {
        let errors = self.javascript_errors().await;
        assert!(
            errors.is_empty(),
            "JavaScript errors on the page: {errors:#?}"
        );
    }

    /// Accessibility problems on the page as it is now (WCAG 2.1 AA, the checks a script can
    /// make): the page's language; a label for every form control; a name for every button and
    /// link; touch targets of at least 44 × 44 px for every visible control; text contrast of
    /// at least 4.5:1 (3:1 for large text); exactly one `h1`; no element wider than the window.
    pub async fn accessibility_problems(&self) -> Vec<String> {
        let found = self.script(ACCESSIBILITY_CHECKS).await;
        found
            .as_array()
            .map(|problems| {
                problems
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("the checks did not run: {found}")])
    }

    pub async fn assert_accessible(&self, page: &str) {
        let problems = self.accessibility_problems().await;
        assert!(
            problems.is_empty(),
            "{page}: accessibility problems: {problems:#?}"
        );
    }

    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}

const ACCESSIBILITY_CHECKS: &str = r#"
const problems = [];
const visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '') +
  ' "' + (e.textContent || '').trim().slice(0, 30) + '"';
const html = document.documentElement;
if (!html.lang) problems.push('html has no lang');
if (!['ltr', 'rtl'].includes(html.dir)) problems.push('html has no dir');
const h1s = [...document.querySelectorAll('h1')].filter(visible);
if (h1s.length !== 1) problems.push(h1s.length + ' visible h1 elements');
for (const control of document.querySelectorAll('input, select, textarea')) {
  if (control.type === 'hidden') continue;
  const labelled = control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
  if (!labelled) problems.push('no label: ' + describe(control));
}
for (const control of document.querySelectorAll('button, a[href], [role=button]')) {
  const name = (control.getAttribute('aria-label') || control.textContent || control.title || '').trim();
  if (!name) problems.push('no accessible name: ' + describe(control));
}
for (const control of document.querySelectorAll('button, a[href], input, select')) {
  if (!visible(control) || control.closest('.skip-link') || control.classList.contains('skip-link')) continue;
  if (control.closest('p, dd, li.flags, .posts') && control.tagName === 'A') continue; // links inside text
  // A checkbox or radio button wrapped in its label is hit anywhere on the label.
  const wrapping = ['checkbox', 'radio'].includes(control.type) ? control.closest('label') : null;
  const r = (wrapping || control).getBoundingClientRect();
  if (r.height < 44 || (r.width < 44 && control.tagName !== 'A')) problems.push('target ' + Math.round(r.width) + 'x' + Math.round(r.height) + ': ' + describe(control));
}
const rgb = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const background = (e) => { for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor);
  if (c && c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const e = walker.currentNode.parentElement;
  if (!e || seen.has(e) || !walker.currentNode.textContent.trim() || !visible(e)) continue;
  if (e.closest('svg, option, .visually-hidden, noscript, [disabled]')) continue;
  seen.add(e);
  const s = getComputedStyle(e); const fg = rgb(s.color); if (!fg) continue;
  const bg = background(e);
  const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const ratio = (l1 + 0.05) / (l2 + 0.05);
  const size = parseFloat(s.fontSize); const bold = Number(s.fontWeight) >= 700;
  const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < needed) problems.push('contrast ' + ratio.toFixed(2) + ' < ' + needed + ': ' + describe(e));
}
if (document.documentElement.scrollWidth > window.innerWidth) problems.push('the page is wider than the window');
return problems;
"#;
