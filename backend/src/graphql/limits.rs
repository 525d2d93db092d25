//! Query cost limits, and the cost of every executed query reported in `extensions.cost`, so
//! analysts writing their own queries see what a query costs before it hits a limit.
//!
//! Complexity counts one per field, multiplied by the page size asked for on connections.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, Response, ServerError, ServerResult, ValidationResult, Variables};
use serde_json::json;

use super::error::ApiError;

/// Deep enough for the deepest legitimate query (a logframe chain with its indicators and
/// their periods, through connections).
pub const MAX_DEPTH: usize = 25;
pub const MAX_COMPLEXITY: usize = 10_000;
/// Aliases in one document: enough for a dashboard asking for many filtered counts at once.
pub const MAX_ALIASES: usize = 100;
/// Directives in one document (`@include`/`@skip`).
pub const MAX_DIRECTIVES: usize = 50;

/// Installs [`QueryLimitsExtension`] on every request.
pub struct QueryLimits;

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension::default())
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Cost {
    aliases: usize,
    directives: usize,
    complexity: Option<usize>,
    depth: Option<usize>,
}

#[derive(Default)]
struct QueryLimitsExtension {
    cost: Mutex<Option<Cost>>,
}

impl QueryLimitsExtension {
    fn update(&self, change: impl FnOnce(&mut Cost)) {
        if let Ok(mut cost) = self.cost.lock() {
            change(cost.get_or_insert_with(Cost::default));
        }
    }

    fn cost(&self) -> Option<Cost> {
        self.cost.lock().ok().and_then(|cost| *cost)
    }
}

fn refuse(message: String) -> ServerError {
    ApiError::bad_request(message).into()
}

#[async_graphql::async_trait::async_trait]
impl Extension for QueryLimitsExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        if let Some(cost) = self.cost() {
            let value = json!({
                "complexity": cost.complexity,
                "maxComplexity": MAX_COMPLEXITY,
                "depth": cost.depth,
                "maxDepth": MAX_DEPTH,
                "aliases": cost.aliases,
                "maxAliases": MAX_ALIASES,
                "directives": cost.directives,
                "maxDirectives": MAX_DIRECTIVES,
            });
            if let Ok(value) = async_graphql::Value::from_json(value) {
                response.extensions.insert("cost".into(), value);
            }
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let (aliases, directives) = count_aliases_and_directives(&document);
        self.update(|cost| {
            cost.aliases = aliases;
            cost.directives = directives;
        });
        if aliases > MAX_ALIASES {
            return Err(refuse(format!(
                "This query uses {aliases} aliases; at most {MAX_ALIASES} are allowed."
            )));
        }
        if directives > MAX_DIRECTIVES {
            return Err(refuse(format!(
                "This query uses {directives} directives; at most {MAX_DIRECTIVES} are allowed."
            )));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.update(|cost| {
            cost.complexity = Some(result.complexity);
            cost.depth = Some(result.depth);
        });
        if result.depth > MAX_DEPTH {
            return Err(vec![refuse(format!(
                "This query is nested {} levels deep; at most {MAX_DEPTH} are allowed.",
                result.depth
            ))]);
        }
        if result.complexity > MAX_COMPLEXITY {
            return Err(vec![refuse(format!(
                "This query costs {}; at most {MAX_COMPLEXITY} is allowed. Ask for fewer items \
                 per page (first/last) or fewer fields.",
                result.complexity
            ))]);
        }
        Ok(result)
    }
}

fn count_aliases_and_directives(document: &ExecutableDocument) -> (usize, usize) {
    let mut counts = (0, 0);
    for (_, operation) in document.operations.iter() {
        counts.1 += operation.node.directives.len();
        count_in(&operation.node.selection_set, &mut counts);
    }
    for fragment in document.fragments.values() {
        counts.1 += fragment.node.directives.len();
        count_in(&fragment.node.selection_set, &mut counts);
    }
    counts
}

fn count_in(selection_set: &Positioned<SelectionSet>, counts: &mut (usize, usize)) {
    for selection in &selection_set.node.items {
        match &selection.node {
            Selection::Field(field) => {
                counts.0 += usize::from(field.node.alias.is_some());
                counts.1 += field.node.directives.len();
                count_in(&field.node.selection_set, counts);
            }
            Selection::FragmentSpread(spread) => counts.1 += spread.node.directives.len(),
            Selection::InlineFragment(inline) => {
                counts.1 += inline.node.directives.len();
                count_in(&inline.node.selection_set, counts);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::count_aliases_and_directives;

    #[test]
    fn counts_aliases_and_directives_everywhere_in_the_document() {
        let document = async_graphql::parser::parse_query(
            "query Q($x: Boolean!) { a: orgUnits { b: code name @include(if: $x) ...F } }
             fragment F on OrgUnit { c: id ... @skip(if: $x) { d: kind } }",
        )
        .expect("valid document");
        assert_eq!(count_aliases_and_directives(&document), (4, 2));
    }
}
