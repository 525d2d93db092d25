import init from "/assets/{{steward.js}}";

init({ module_or_path: "/assets/{{steward.wasm}}" }).catch(function (error) {
  // Surfaces through the unhandledrejection collector in errors.js as well as the console.
  throw error;
});
