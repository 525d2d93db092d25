// GraphiQL for analysts, with every asset served by Steward itself (no CDN: offices without
// internet access must be able to use it).
(function () {
  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  var defaultQuery =
    "# Welcome to Steward's GraphQL API.\n" +
    "# The schema is in the Docs panel and at /schema.graphql.\n" +
    "# Every response reports what its query cost in extensions.cost.\n\n" +
    "{\n  orgUnits(first: 50) {\n    totalCount\n    nodes {\n      code\n      name\n      chinese: name(language: ZH)\n      kind\n      parent { code }\n    }\n  }\n}\n";
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
