//! The gate in front of the whole API: an anonymous request may only sign in. Anything else is
//! refused as a whole (`UNAUTHENTICATED`) before a single resolver runs, so a field that
//! forgot its own check still cannot leak to someone who is not signed in.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerResult, Variables};

use super::caller::Caller;
use crate::graphql::ApiError;

/// The root fields an anonymous request may ask for.
pub const ANONYMOUS_FIELDS: [&str; 2] = ["signIn", "__typename"];

pub struct SignInGate;

impl ExtensionFactory for SignInGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SignInGate)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for SignInGate {
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
        if anonymous && !only_anonymous_fields(&document) {
            return Err(ApiError::sign_in_first().into());
        }
        Ok(document)
    }
}

fn only_anonymous_fields(document: &ExecutableDocument) -> bool {
    document
        .operations
        .iter()
        .all(|(_, operation)| root_fields_allowed(document, &operation.node.selection_set, 0))
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
        only_anonymous_fields(&async_graphql::parser::parse_query(query).expect("valid"))
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
