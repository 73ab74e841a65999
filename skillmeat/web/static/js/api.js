// The JSON API, and its errors turned into messages people can read.

export const SOURCES = "/api/v1/marketplace/sources";

export class ApiError extends Error {
  constructor(message, status, fields = {}) {
    super(message);
    this.status = status;
    this.fields = fields; // request field name -> message, as the API says
  }
}

function fromBody(body, status) {
  const detail = body && body.detail;
  if (typeof detail === "string" && detail) {
    // A domain error names the request field it is about, when it is about one.
    const fields = typeof body.field === "string" ? { [body.field]: detail } : {};
    return new ApiError(detail, status, fields);
  }
  if (Array.isArray(detail) && detail.length) {
    const fields = {};
    const lines = detail.map((item) => {
      const loc = (item.loc || []).filter((part) => part !== "body" && part !== "query");
      const msg = item.msg || "invalid value";
      if (loc.length) fields[loc[0]] ??= msg;
      return loc.length ? `${loc.join(".")}: ${msg}` : msg;
    });
    return new ApiError(lines.join("; "), status, fields);
  }
  return new ApiError(`Request failed (HTTP ${status})`, status);
}

function cookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

export async function api(method, path, body) {
  // Names the web UI as the actor of the changes it makes (the audit trail).
  const init = { method, headers: { Accept: "application/json", "X-SkillMeat-Client": "ui" } };
  // With an API token set, the login cookie only counts together with this header.
  const csrf = cookie("skillmeat_csrf");
  if (csrf && method !== "GET") init.headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError("Could not reach the SkillMeat server. Is it running?", 0);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.status === 401) {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/login?next=${encodeURIComponent(next)}`);
  }
  if (!response.ok) throw fromBody(data, response.status);
  return data;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) value.forEach((item) => search.append(key, String(item)));
    else if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const sourcePath = (sourceId) => `${SOURCES}/${encodeURIComponent(sourceId)}`;
export const entryPath = (sourceId, entryId) =>
  `${sourcePath(sourceId)}/artifacts/${encodeURIComponent(entryId)}`;
