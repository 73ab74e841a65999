// "What this can run": the entry's risk surface, from the entry detail endpoint.

import { api, entryPath } from "./api.js";
import { h, spinner } from "./dom.js";

const code = (text) => h("code", {}, text);

function items(risk) {
  const out = [];
  for (const hook of risk.hooks) {
    const on = hook.matcher ? `${hook.event} (${hook.matcher})` : hook.event;
    out.push(h("li", {}, h("strong", {}, "Hook "), `on ${on}: `,
      hook.command ? ["runs ", code(hook.command)] : `asks a ${hook.type}`,
      hook.scripts.length ? [" — calls ", hook.scripts.map((s, i) => [i ? ", " : "", code(s)])] : ""));
  }
  for (const server of risk.mcp_servers) {
    const runs = server.command ? ["runs ", code([server.command, ...server.args].join(" "))]
      : ["connects to ", code(server.url || "")];
    out.push(h("li", {}, h("strong", {}, "MCP server "), code(server.name), ": ", runs,
      server.env.length ? ` — env ${server.env.join(", ")}` : ""));
  }
  for (const grant of risk.tools) {
    const flags = [grant.bash && "Bash", ...grant.wildcards].filter(Boolean);
    out.push(h("li", {}, h("strong", {}, "Tools "), `of ${grant.where}: ${grant.tools.join(", ")}`,
      flags.length ? h("span", { class: "risk-flag" }, ` ${flags.join(", ")}`) : ""));
  }
  for (const exe of risk.executables) {
    out.push(h("li", {}, h("strong", {}, "Script "), code(exe.path),
      exe.language ? ` (${exe.language})` : ""));
  }
  for (const runner of risk.unpinned) {
    out.push(h("li", {}, h("strong", { class: "risk-flag" }, "Unpinned "), code(runner.text),
      ` in ${runner.where}: ${runner.reason}`));
  }
  for (const url of risk.network) out.push(h("li", {}, h("strong", {}, "Network "), code(url)));
  if (risk.truncated) out.push(h("li", { class: "muted" }, "More left out: each list is capped."));
  return out;
}

// A section that fills itself in; entries that run nothing cost no request.
export function riskSection(entry, isCurrent) {
  const body = h("div", { class: "risk-body" });
  const section = h("section", { class: "risk", "aria-labelledby": "risk-title" },
    h("h3", { id: "risk-title" }, "What this can run"), body);
  if (!entry.risk_summary) {
    body.append(h("p", { class: "muted" }, "Nothing: no hooks, MCP servers, scripts, Bash or network endpoints."));
    return section;
  }
  body.append(h("p", { class: "muted loading" }, spinner(), ` ${entry.risk_summary}`));
  api("GET", entryPath(entry.source_id, entry.id)).then((detail) => {
    if (!isCurrent()) return;
    body.replaceChildren(detail.risk ? h("ul", { class: "risk-list" }, items(detail.risk))
      : h("p", { class: "muted" }, "Nothing: no hooks, MCP servers, scripts, Bash or network endpoints."));
  }).catch((error) => {
    body.replaceChildren(h("p", { class: "muted", role: "alert" }, `${entry.risk_summary} (${error.message})`));
  });
  return section;
}
