//! The GraphQL schema is a reviewed contract: `schema.graphql` must equal what the server
//! serves. After an intended change, run `./dev schema` and commit the diff.

#[test]
fn checked_in_sdl_matches_the_server() {
    let path = steward_tests::workspace_dir().join("schema.graphql");
    let checked_in = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let served = steward::graphql::sdl();
    assert!(
        checked_in == served,
        "schema.graphql is out of date: run `./dev schema` and review the diff"
    );
}
