// /docs: Swagger UI from the package's own copy, started here because the CSP allows no
// inline script. "Try it out" writes carry the log-in session's CSRF header like the UI's.
function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // the default would load a badge from an outside server
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  requestInterceptor: (request) => {
    const csrf = cookie("skillmeat_csrf");
    if (csrf && request.method !== "GET") request.headers["X-CSRF-Token"] = csrf;
    return request;
  },
});
