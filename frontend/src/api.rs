//! The one way the app talks to the server: GraphQL over `POST /graphql`.

use gloo_net::http::Request;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A failed request, with the server's machine-readable code when it gave one.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    fn network(message: impl ToString) -> Self {
        ApiError {
            code: "NETWORK".into(),
            message: message.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct GraphqlResponse<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    message: String,
    #[serde(default)]
    extensions: Option<Value>,
}

pub async fn query<T: DeserializeOwned>(query: &str, variables: Value) -> Result<T, ApiError> {
    let response = Request::post("/graphql")
        .json(&json!({ "query": query, "variables": variables }))
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let body: GraphqlResponse<T> = response.json().await.map_err(ApiError::network)?;
    if let Some(error) = body.errors.into_iter().next() {
        let code = error
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .and_then(Value::as_str)
            .unwrap_or("INTERNAL")
            .to_owned();
        return Err(ApiError {
            code,
            message: error.message,
        });
    }
    body.data
        .ok_or_else(|| ApiError::network("the server sent no data"))
}
