//! The gate in front of the whole API: an anonymous request may only sign in. Anything else is
//! refused as a whole (`UNAUTHENTICATED`) before a single resolver runs, so a field that
//! forgot its own check still cannot leak to someone who is not signed in.

use std::sync::Arc;

use std::sync::Mutex;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, Request, ServerResult, Variables};

use super::caller::Caller;
use crate::graphql::ApiError;

/// The root fields an anonymous request may ask for.
pub const ANONYMOUS_FIELDS: [&str; 2] = ["signIn", "__typename"];

pub struct SignInGate;

impl ExtensionFactory for SignInGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SignInGateExtension::default())
    }
}

/// One per request: remembers which operation of the document the request runs.
#[derive(Default)]
struct SignInGateExtension {
    operation_name: Mutex<Option<String>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for SignInGateExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut name) = self.operation_name.lock() {
            name.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let anonymous = ctx
            .data_opt::<Caller>()
            .is_none_or(|caller| caller.signed_in.is_none());
        let operation = self
            .operation_name
            .lock()
            .ok()
            .and_then(|name| name.clone());
        if anonymous && !only_anonymous_fields(&document, operation.as_deref()) {
            return Err(ApiError::sign_in_first().into());
        }
        Ok(document)
    }
}

/// Whether the operation the request runs (the named one, or every one when none is named)
/// asks only for what anonymous callers may. Other operations in the document do not run.
fn only_anonymous_fields(document: &ExecutableDocument, operation: Option<&str>) -> bool {
    document
        .operations
        .iter()
        .filter(|(name, _)| match operation {
            Some(wanted) => name.is_some_and(|n| n.as_str() == wanted),
            None => true,
        })
        .all(|(_, definition)| root_fields_allowed(document, &definition.node.selection_set, 0))
}

fn root_fields_allowed(
    document: &ExecutableDocument,
    selection_set: &Positioned<SelectionSet>,
    depth: usize,
) -> bool {
    // Fragments can only nest so far at the root; a cycle is a validation error anyway.
    if depth > 10 {
        return false;
    }
    selection_set
        .node
        .items
        .iter()
        .all(|selection| match &selection.node {
            Selection::Field(field) => ANONYMOUS_FIELDS.contains(&field.node.name.node.as_str()),
            Selection::InlineFragment(inline) => {
                root_fields_allowed(document, &inline.node.selection_set, depth + 1)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .is_some_and(|fragment| {
                    root_fields_allowed(document, &fragment.node.selection_set, depth + 1)
                }),
        })
}

#[cfg(test)]
mod tests {
    use super::only_anonymous_fields;

    fn allowed(query: &str) -> bool {
        only_anonymous_fields(
            &async_graphql::parser::parse_query(query).expect("valid"),
            None,
        )
    }

    #[test]
    fn only_the_operation_that_runs_counts() {
        let document = async_graphql::parser::parse_query(
            "query Viewer { viewer { readOnly } } mutation SignIn { signIn(input: {email: \"a\", password: \"b\"}) { readOnly } }",
        )
        .expect("valid");
        assert!(only_anonymous_fields(&document, Some("SignIn")));
        assert!(!only_anonymous_fields(&document, Some("Viewer")));
        assert!(!only_anonymous_fields(&document, None));
    }

    #[test]
    fn anonymous_requests_may_only_sign_in() {
        assert!(allowed(
            "mutation { signIn(input: {email: \"a\", password: \"b\"}) { readOnly } }"
        ));
        assert!(allowed("{ __typename }"));
        assert!(!allowed("{ orgUnits { totalCount } }"));
        assert!(!allowed("{ __schema { types { name } } }"));
        assert!(!allowed(
            "mutation { signIn(input: {email: \"a\", password: \"b\"}) { readOnly } signOut }"
        ));
        assert!(!allowed(
            "query { ...F } fragment F on Query { people { totalCount } }"
        ));
        assert!(!allowed("query { ... on Query { viewer { readOnly } } }"));
        assert!(allowed(
            "mutation { ... on Mutation { signIn(input: {email: \"a\", password: \"b\"}) { readOnly } } }"
        ));
    }
}
