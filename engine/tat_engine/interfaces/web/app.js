// The reading room: a date, the text in force, a point's history, a comparison, a cost check.
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));

async function get(url) {
  const response = await fetch(url);
  const data = await response.json();
  if (!response.ok) throw new Error(data.detail || response.statusText);
  return data;
}

async function showActs() {
  const acts = await get("/v1/acts");
  $("timeline").innerHTML = acts.map((act) => {
    const assumed = act.signing.type === "UncertainDate" && !act.signing.supplied;
    const when = assumed ? `${esc(act.date_written)} (assumed ${esc(act.in_force_from)})` : esc(act.in_force_from);
    return `<li class="${assumed ? "assumed" : ""}"><b>${esc(act.number)}</b><br>${when}` +
      (act.applies_from ? `<br>applied from ${esc(act.applies_from)}` : "") + "</li>";
  }).join("");
}

async function showText() {
  const on = $("on").value;
  const data = await get(`/v1/text?on=${on}&format=json`);
  $("assumptions").innerHTML = data.assumptions.map((a) => `<p class="assumption">Assumed date: ${esc(a)}</p>`).join("");
  const rows = data.points.map((p) => ({label: p.label, html:
    `<p class="point ${esc(p.kind)} ${esc(p.status)}" data-label="${esc(p.label)}">` +
    `<span class="label">${esc(p.label)}.</span><span class="body">` +
    (p.text !== null ? esc(p.text) : `[wording not in the sources: ${esc(p.reason)}]`) + "</span> " +
    (p.annotation ? `<span class="annotation">${esc(p.annotation)}</span>` : "") + "</p>" + (p.table ? table(p.table) : "")}));
  rows.push(...data.repealed.map((r) => ({label: r.label,
    html: `<p class="point repealed" data-label="${esc(r.label)}"><span class="label">${esc(r.label)}.</span>` +
      (r.title ? `<span class="body">${esc(r.title)}</span> ` : "") + `<span class="annotation">${esc(r.annotation)}</span></p>`})));
  const key = (label) => label.startsWith("Lisa") ? [1e9, Number(label.slice(5))] : label.split(".").map(Number);
  rows.sort((a, b) => { const x = key(a.label), y = key(b.label);
    for (let i = 0; i < Math.max(x.length, y.length); i++) { const d = (x[i] ?? -1) - (y[i] ?? -1); if (d) return d; } return 0; });
  const preamble = data.preamble ? `<p class="preamble">${esc(data.preamble.text)}</p>` : "";
  $("text").innerHTML = preamble + rows.map((r) => r.html).join("");
}

// A table as printed: header cells, then rows of cells or a heading across the table.
function table(t) {
  const head = t.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join("");
  const rows = t.rows.map((r) => r.heading !== undefined
    ? `<tr><th scope="colgroup" colspan="${t.columns.length}">${esc(r.heading)}</th></tr>`
    : "<tr>" + r.cells.map((c) => `<td>${esc(c)}</td>`).join("") + "</tr>").join("");
  return `<table class="${esc(t.name)}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

async function showHistory(label) {
  const histories = await get(`/v1/history/${encodeURIComponent(label)}`);
  $("history").innerHTML = `<h2>History of ${esc(label)}</h2>` + histories.map((h) =>
    `<h3>${esc(h.provision)}</h3>` + h.steps.map((step) => {
      if (step.type === "Repealed") return `<div class="version repealed">repealed since ${esc(step.since)} — ${esc(citation(step.by))}</div>`;
      const v = step.version, w = v.content.wording;
      const text = w.type === "Unknown" ? `<i>[wording not in the sources: ${esc(w.reason)}]</i>` : esc(w.text);
      const renumbered = step.change.verb === "renumbered" ? `<br><span class="annotation">numbered ${esc(v.label)}: ${esc(citation(step.change))}</span>` : "";
      return `<div class="version"><b>${esc(v.label)}</b> [${esc(v.start)}, ${esc(v.end || "…")})<br>${text}<br>` +
        `<span class="annotation">${esc(citation(step.citation))}</span>${renumbered}</div>`;
    }).join("")).join("");
}

function citation(c) {
  const item = c.item ? `item ${c.item} of ` : "";
  return `version ${c.version}, ${c.verb} by ${item}${c.act.number} (${c.act.date_written})`;
}

async function showDiff() {
  const before = $("compare").value, after = $("on").value;
  const changes = await get(`/v1/diff?before=${before}&after=${after}`);
  $("diff").innerHTML = `<h2>Changes ${esc(before)} → ${esc(after)}</h2>` + (changes.length ? changes.map((c) => {
    const label = (c.after || c.before).label;
    const words = c.words ? "<div>" + c.words.map(([op, text]) =>
      op === "=" ? esc(text) : op === "+" ? `<ins>${esc(text)}</ins>` : `<del>${esc(text)}</del>`).join(" ") + "</div>" : "";
    return `<div class="change" data-label="${esc(label)}"><b>${esc(label)}</b>: ${esc(c.kinds.join(", "))}${words}</div>`;
  }).join("") : "<p>No differences.</p>");
}

async function checkCost() {
  const form = new FormData($("cost-form"));
  const body = Object.fromEntries([...form.entries()].filter(([k]) => k !== "as_of"));
  const response = await fetch(`/v1/costs/check?as_of=${form.get("as_of")}`,
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await response.json();
  $("cost-result").innerHTML = response.ok
    ? `<p class="verdict">${esc(data.verdict)} — ${esc(data.eligible)} €</p><p>${esc(data.reasons).replaceAll("; ", "<br>")}</p>`
    : `<p class="verdict">${esc(data.detail)}</p>`;
}

function report(error) { $("assumptions").innerHTML = `<p class="assumption">${esc(error.message)}</p>`; }

$("text").addEventListener("click", (event) => {
  const point = event.target.closest(".point");
  if (point) showHistory(point.dataset.label).catch(report);
});
$("on").addEventListener("change", () => showText().catch(report));
$("compare-button").addEventListener("click", () => showDiff().catch(report));
$("cost-button").addEventListener("click", () => checkCost().catch(report));
showActs().then(showText).catch(report);
