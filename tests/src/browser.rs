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

    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}
