//! The one way the app talks to the server: typed GraphQL operations (graphql_client,
//! compiled against `schema.graphql`) over `POST /graphql`.

use gloo_net::http::Request;
use graphql_client::GraphQLQuery;
use steward_shared::api::ErrorCode;

/// A failed request: the server's machine-readable code (or a network failure), its message
/// and the request id to quote.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// `None` when the server could not be reached or answered something unreadable.
    pub code: Option<ErrorCode>,
    pub message: String,
    pub request_id: Option<String>,
}

impl ApiError {
    fn network(message: impl ToString) -> Self {
        ApiError {
            code: None,
            message: message.to_string(),
            request_id: None,
        }
    }

    /// For an id that names nothing (the server answers `null`, not an error).
    pub fn not_found() -> Self {
        ApiError {
            code: Some(ErrorCode::NotFound),
            message: String::new(),
            request_id: None,
        }
    }

    /// The code as shown to people: the server's, or `NETWORK`.
    pub fn code_label(&self) -> &'static str {
        self.code.map_or("NETWORK", ErrorCode::as_str)
    }
}

/// The parts of a GraphQL error the app reads (graphql_client's own error type also reads
/// locations and paths, which costs bundle size and is never shown).
#[derive(serde::Deserialize)]
struct ServerError {
    message: String,
    extensions: Option<ErrorExtensions>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorExtensions {
    code: Option<String>,
    request_id: Option<String>,
}

/// A GraphQL response: the operation's data and the errors.
#[derive(serde::Deserialize)]
struct Response<T> {
    data: Option<T>,
    errors: Option<Vec<ServerError>>,
}

/// A server's answer as received: one type for every operation, so that the asynchronous
/// machinery (futures, resources) is compiled once for the whole app rather than once per
/// query. Each operation then decodes it synchronously with [`decode`].
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    text: String,
    request_id: Option<String>,
}

/// The JSON body of operation `Q` with these variables.
pub fn request<Q: GraphQLQuery>(variables: Q::Variables) -> String {
    // Built as a JavaScript value and written by the browser's JSON.stringify: no Rust JSON
    // writer in the bundle.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    serde::Serialize::serialize(&Q::build_query(variables), &serializer)
        .ok()
        .and_then(|value| js_sys::JSON::stringify(&value).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// Sends a GraphQL request body to the server.
pub async fn send(body: String) -> Result<Answer, ApiError> {
    let response = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(body)
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let request_id = response.headers().get("x-request-id");
    let text = response.text().await.map_err(ApiError::network)?;
    Ok(Answer { text, request_id })
}

/// Parses the JSON with the browser's own parser and reads the typed value from the result:
/// much less code per response type than a Rust JSON parser inlined into each one.
fn parse<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, ApiError> {
    read_value(parse_json(&answer.text)?)
}

fn parse_json(text: &str) -> Result<wasm_bindgen::JsValue, ApiError> {
    js_sys::JSON::parse(text).map_err(|_| ApiError::network("the server's answer is not JSON"))
}

fn first_error(errors: Option<&Vec<ServerError>>, answer: &Answer) -> Result<(), ApiError> {
    match errors.and_then(|errors| errors.first()) {
        None => Ok(()),
        Some(error) => {
            let extensions = error.extensions.as_ref();
            Err(ApiError {
                code: extensions
                    .and_then(|e| e.code.as_deref())
                    .and_then(ErrorCode::parse),
                message: error.message.clone(),
                request_id: extensions
                    .and_then(|e| e.request_id.clone())
                    .or_else(|| answer.request_id.clone()),
            })
        }
    }
}

/// Operation `Q`'s data from an answer, or the first error the server reported.
pub fn decode<Q: GraphQLQuery>(answer: &Answer) -> Result<Q::ResponseData, ApiError> {
    let body: Response<Q::ResponseData> = parse(answer)?;
    first_error(body.errors.as_ref(), answer)?;
    body.data
        .ok_or_else(|| ApiError::network("the server answered without data"))
}

/// Whether a change succeeded, for changes whose answer the page does not read (it reloads
/// what it shows instead): one decoder for all of them.
pub fn succeeded(answer: &Answer) -> Result<(), ApiError> {
    #[derive(serde::Deserialize)]
    struct ErrorsOnly {
        errors: Option<Vec<ServerError>>,
    }
    let body: ErrorsOnly = parse(answer)?;
    first_error(body.errors.as_ref(), answer)
}

/// Sends a request in the background and hands its answer to `done`; one asynchronous task
/// type for every change the app makes.
pub fn dispatch(body: String, done: impl FnOnce(Result<Answer, ApiError>) + 'static) {
    let done: Box<dyn FnOnce(Result<Answer, ApiError>)> = Box::new(done);
    leptos::task::spawn_local(async move { done(send(body).await) });
}

/// Runs operation `Q` and returns its data, or the first error the server reported.
pub async fn run<Q: GraphQLQuery>(variables: Q::Variables) -> Result<Q::ResponseData, ApiError> {
    decode::<Q>(&send(request::<Q>(variables)).await?)
}

fn read_value<T: serde::de::DeserializeOwned>(value: wasm_bindgen::JsValue) -> Result<T, ApiError> {
    serde_wasm_bindgen::from_value(value).map_err(ApiError::network)
}

/// Uploads a form to an import route, asking for its progress as one JSON object per line
/// (`application/x-ndjson`): each line is a `steward_shared::imports::ImportEvent`; progress
/// goes to `on_progress` as it arrives, and the last line is the report (or the reason the
/// import could not run).
pub async fn import<R: serde::de::DeserializeOwned>(
    url: &str,
    form: web_sys::FormData,
    on_progress: impl Fn(steward_shared::imports::ImportProgress),
) -> Result<R, ApiError> {
    use wasm_bindgen::JsCast;

    let response = Request::post(url)
        .header("accept", "application/x-ndjson")
        .body(form)
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let request_id = response.headers().get("x-request-id");
    if !response.ok() {
        // Refused before the import started: an ordinary JSON error.
        let text = response.text().await.map_err(ApiError::network)?;
        let answer = Answer { text, request_id };
        succeeded(&answer)?;
        return Err(ApiError::network("the server refused the upload"));
    }
    let reader: web_sys::ReadableStreamDefaultReader = response
        .body()
        .ok_or_else(|| ApiError::network("the server answered without a body"))?
        .get_reader()
        .unchecked_into();
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|_| ApiError::network("the connection broke off during the import"))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if let Ok(bytes) = js_sys::Reflect::get(&chunk, &"value".into())
            && let Some(bytes) = bytes.dyn_ref::<js_sys::Uint8Array>()
        {
            pending.extend(bytes.to_vec());
        }
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            // Each line is an `ImportEvent`: one key naming what it holds. Read by the key, so
            // only the three payloads need decoders (a decoder for the tagged enum itself
            // costs ~7 KB of wasm).
            let event = parse_json(&String::from_utf8_lossy(&line))?;
            let part = |name: &str| {
                js_sys::Reflect::get(&event, &name.into())
                    .ok()
                    .filter(|value| !value.is_undefined())
            };
            if let Some(step) = part("progress") {
                on_progress(read_value(step)?);
            } else if let Some(report) = part("report") {
                return read_value(report);
            } else if let Some(failure) = part("error") {
                let failure: steward_shared::imports::ImportFailure = read_value(failure)?;
                return Err(ApiError {
                    code: Some(failure.code),
                    message: failure.message,
                    request_id,
                });
            }
        }
        if done {
            return Err(ApiError::network("the import ended without a report"));
        }
    }
}
