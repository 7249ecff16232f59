// The reading room: the text in force on a date, a point's history beside it, a comparison of two
// dates, a cost check. The URL holds the state (?as_of=&point=, ?from=&to=, ?view=costs, &lang=), so
// a permalink reopens the same view and back/forward walk the views. The page speaks Estonian unless
// English is asked for (kept in the URL and localStorage); the legal text is never translated.
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));

let lang = "et";
const t = (key, ...args) => { const w = WORDS[lang][key] ?? WORDS.en[key]; return typeof w === "function" ? w(...args) : w; };
const verbWord = (verb) => t("verbs")[verb] ?? verb;

// --- days: ISO inside, DD.MM.YYYY (Estonian) or ISO (English) on the page; either is read ---

function isoDay(text) {
  const s = String(text ?? "").trim();
  const found = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) || /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(s);
  if (!found) return null;
  const [y, m, d] = found[1].length === 4 ? found.slice(1, 4) : [found[3], found[2], found[1]];
  const day = new Date(Date.UTC(+y, +m - 1, +d));
  const real = day.getUTCFullYear() === +y && day.getUTCMonth() === +m - 1 && day.getUTCDate() === +d;
  return real && +y >= 1900 && +y <= 2999 ? `${y}-${m}-${d}` : null;
}
function showDay(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-");
  return lang === "et" ? `${d}.${m}.${y}` : iso;
}
function dayBefore(iso) {  // the last day of a half-open [start, end)
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}
function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

// --- the state, in the URL ---

const KEYS = ["as_of", "point", "from", "to", "view", "lang"];
const CHOICES = ["reading", "assume"];  // repeatable, passed on to every question: READING=OPTION, ACT=YYYY-MM-DD
function readUrl() {
  const query = new URLSearchParams(location.search);
  return {...Object.fromEntries(KEYS.map((key) => [key, query.get(key) || null])),
    ...Object.fromEntries(CHOICES.map((key) => [key, query.getAll(key).filter(Boolean)]))};
}
function urlOf(state) {
  const query = new URLSearchParams();
  for (const key of KEYS) if (state[key]) query.set(key, state[key]);
  for (const key of CHOICES) for (const value of state[key] || []) query.append(key, value);
  const text = query.toString();
  return text ? `?${text}` : location.pathname;
}
let state = readUrl();

function go(changes, replace = false) {
  state = {...state, ...changes};
  const url = urlOf(state);
  if (url !== location.search && !(url === location.pathname && !location.search)) {
    history[replace ? "replaceState" : "pushState"](null, "", url);
  }
  return render().catch(report);
}

// The reading and the act dates the user chose, as the API takes them (and a key for what was shown).
function choiceQuery() {
  const query = new URLSearchParams();
  for (const key of CHOICES) for (const value of state[key] || []) query.append(key, value);
  return query.toString();
}
// every question carries the page's language, so the engine's own messages (reasons, notes) come in it too
const asked = (url) => `${url}${url.includes("?") ? "&" : "?"}${[choiceQuery(), `lang=${lang}`].filter(Boolean).join("&")}`;
const mood = () => `${lang}|${choiceQuery()}`;

let renders = 0;  // each render counts; an answer that comes back after a newer render began is dropped
class Stale extends Error {}

async function get(url, run = renders) {  // run: the render asking (see render)
  const response = await fetch(asked(url));
  const data = await response.json().catch(() => ({detail: `${response.status} ${response.statusText}`}));
  if (run !== renders) throw new Stale("a newer view was asked for");
  if (!response.ok) throw new Error(data.detail || response.statusText);  // a problem's detail says what was wrong
  return data;
}

function report(error) {
  if (!(error instanceof Stale)) $("messages").innerHTML += `<p class="error">${esc(error.message)}</p>`;
}

// --- language ---

function chooseLanguage() {
  const wanted = state.lang || localStorage.getItem("tat-lang");
  lang = wanted === "en" ? "en" : "et";
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-aria]")) node.setAttribute("aria-label", t(node.dataset.tAria));
  for (const id of ["on", "compare"]) $(id).placeholder = t("date_placeholder");
  const form = $("cost-form");
  for (const name of ["as_of", "incurred_on", "paid_on"]) form.elements[name].placeholder = t("date_placeholder");
  form.elements.amount.placeholder = t("amount_placeholder");
  const other = lang === "et" ? "en" : "et";
  const switcher = $("lang-switch");
  switcher.textContent = other === "en" ? "English" : "Eesti";
  switcher.lang = switcher.hreflang = other;
  switcher.href = urlOf({...state, lang: other});
  $("view-text").href = urlOf({...state, view: null, from: null, to: null});
  $("view-costs").href = urlOf({...state, view: "costs", from: null, to: null});
}

// --- the whole view ---

let shown = {};  // what each section shows now, so a change of point does not rebuild the text

async function render() {
  const run = ++renders;
  chooseLanguage();
  applyLanguage();
  $("messages").innerHTML = "";
  const from = checked(state.from, "from"), to = checked(state.to, "to");
  const view = state.view === "costs" ? "costs" : from && to ? "diff" : "text";
  const asOf = view === "diff" ? null : checked(state.as_of, "as_of");
  const on = (view === "diff" ? to : asOf) || today();
  $("on").value = showDay(on);
  if (from) $("compare").value = showDay(from);
  else if (isoDay($("compare").value)) $("compare").value = showDay(isoDay($("compare").value));
  for (const [id, active] of [["view-text", view !== "costs"], ["view-costs", view === "costs"]]) {
    if (active) $(id).setAttribute("aria-current", "page"); else $(id).removeAttribute("aria-current");
  }
  $("text").hidden = view !== "text";
  $("diff").hidden = view !== "diff";
  $("costs").hidden = view !== "costs";
  document.body.dataset.view = view;
  $("print-heading").textContent = view === "diff" ? "" : t("print_heading", showDay(on));  // what a printed page is
  await showActs(run);
  if (view === "text") await showText(on, run);
  if (view === "diff") await showDiff(from, to, run);
  if (view === "costs") await showCostForm(asOf || isoDay($("cost-form").elements.as_of.value) || today(), run);
  await showHistory(view === "costs" ? null : state.point, run);
}

function checked(value, what) {
  if (!value) return null;
  const day = isoDay(value);
  if (!day) report(new Error(t("not_a_date", what, value)));
  return day;
}

// --- the acts ---

let assumedDays = new Set();  // the days acts of assumed date came into force

async function showActs(run) {
  if (shown.acts === mood()) return;
  const [acts, readings] = await Promise.all([get("/v1/acts", run), get("/v1/readings", run)]);
  assumedDays = new Set(acts.filter((act) => act.signing.type === "UncertainDate" && !act.signing.supplied).map((act) => act.in_force_from));
  $("timeline").innerHTML = acts.map((act) => {
    const assumed = act.signing.type === "UncertainDate" && !act.signing.supplied;
    const when = assumed ? `${esc(act.date_written)} <span class="marker assumed-marker">${esc(t("assumed", showDay(act.in_force_from)))}</span>`
      : esc(showDay(act.in_force_from));
    const under = act.applies_under, chosen = Object.fromEntries(readings.map((r) => [r.name, r.chosen]));
    const holds = !under || chosen[under.reading] === under.option;  // applied earlier only under one reading
    const applied = act.applies_from && act.applies_from < act.in_force_from && holds
      ? `<br>${esc(t("applied_from", showDay(act.applies_from)))}` : "";
    return `<li class="${assumed ? "assumed" : ""}"><a href="${esc(urlOf({...state, as_of: act.in_force_from, from: null, to: null, view: null}))}" ` +
      `data-day="${esc(act.in_force_from)}"><b>${esc(act.number)}</b></a> ${when}${applied}</li>`;
  }).join("");
  showChoices(acts, readings);
  shown.acts = mood();
}

// --- the choices the sources leave open: a contested reading, the real date of an act dated by bounds ---

function showChoices(acts, readings) {
  const readingsHtml = readings.map((r) => {
    const options = r.options.map((o) => `<option value="${esc(o.name)}"${o.name === r.chosen ? " selected" : ""}>` +
      `${esc(o.name)}${o.name === r.default ? ` (${esc(t("by_default"))})` : ""}</option>`).join("");
    const chosen = r.options.find((o) => o.name === r.chosen);
    return `<label><span>${esc(t("reading"))}: ${esc(r.name)}</span><select data-reading="${esc(r.name)}" data-default="${esc(r.default)}">` +
      `${options}</select></label><details class="hint"><summary>${esc(t("basis"))}</summary><p lang="en">${esc(r.title)}: ` +
      `${esc(chosen?.basis ?? "")}</p></details>`;
  }).join("");
  const datesHtml = acts.filter((a) => a.signing.type === "UncertainDate").map((a) =>
    `<label><span>${esc(t("signed_on", a.number, showDay(a.signing.earliest), showDay(a.signing.latest)))}</span>` +
    `<input data-act="${esc(a.number)}" inputmode="numeric" autocomplete="off" value="${esc(showDay(a.signing.assumed))}"></label>`).join("");
  $("choices").innerHTML = readingsHtml + datesHtml;
}

function choose(event) {
  const select = event.target.closest("select[data-reading]"), input = event.target.closest("input[data-act]");
  if (select) {
    const others = (state.reading || []).filter((pair) => !pair.startsWith(`${select.dataset.reading}=`));
    go({reading: select.value === select.dataset.default ? others : [...others, `${select.dataset.reading}=${select.value}`]});
  } else if (input) {
    const day = isoDay(input.value);
    if (!day) { report(new Error(t("not_a_date", input.dataset.act, input.value))); return; }
    const others = (state.assume || []).filter((pair) => !pair.startsWith(`${input.dataset.act}=`));
    go({assume: [...others, `${input.dataset.act}=${day}`]});
  }
}

// --- the text in force ---

function wording(text, status, reason) {
  if (status === "unknown" || text === null) {
    return `<span class="marker unknown-marker">[${esc(t("unknown_wording"))}: <span lang="${lang}">${esc(reason)}</span>]</span>`;
  }
  const body = `<span class="body">${esc(text)}</span>`;
  if (status !== "reconstructed") return body;
  return `${body} <span class="marker reconstructed-marker" title="${esc(reason)}">[${esc(t("reconstructed"))}]</span>`;
}

async function showText(on, run) {
  const key = `${on}|${mood()}`;
  if (shown.text === key) return;
  const data = await get(`/v1/text?on=${on}&format=json`, run);
  $("assumptions").innerHTML = data.assumptions.map((a) => `<p class="assumption" lang="${lang}">${esc(a)}</p>`).join("");
  const rows = data.points.map((p) => ({label: p.label, html:
    `<p class="point ${esc(p.kind)} ${esc(p.status)}" data-label="${esc(p.label)}" tabindex="0">` +
    `<span class="label">${esc(p.label)}.</span>${wording(p.text, p.status, p.reason)} ` +
    (p.annotation ? `<span class="annotation">${esc(p.annotation)}</span>` : "") + "</p>" + (p.table ? table(p.table) : "")}));
  rows.push(...data.repealed.map((r) => ({label: r.label,
    html: `<p class="point repealed" data-label="${esc(r.label)}" tabindex="0"><span class="label">${esc(r.label)}.</span>` +
      (r.title ? `<span class="body">${esc(r.title)}</span> ` : "") + `<span class="annotation">${esc(r.annotation)}</span></p>`})));
  const key_ = (label) => label.startsWith("Lisa") ? [1e9, Number(label.slice(5))] : label.split(".").map(Number);
  rows.sort((a, b) => { const x = key_(a.label), y = key_(b.label);
    for (let i = 0; i < Math.max(x.length, y.length); i++) { const d = (x[i] ?? -1) - (y[i] ?? -1); if (d) return d; } return 0; });
  const preamble = data.preamble ? `<p class="preamble">${esc(data.preamble.text)}</p>` : "";
  keepHistory();
  $("text").innerHTML = preamble + rows.map((r) => r.html).join("");
  shown.text = key;
  shown.point = undefined;
}

// A table as printed: header cells, then rows of cells or a heading across the table.
function table(t_) {
  const head = t_.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join("");
  const rows = t_.rows.map((r) => r.heading !== undefined
    ? `<tr><th scope="colgroup" colspan="${t_.columns.length}">${esc(r.heading)}</th></tr>`
    : "<tr>" + r.cells.map((c) => `<td>${esc(c)}</td>`).join("") + "</tr>").join("");
  return `<div class="table-wrap"><table class="${esc(t_.name)}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

// --- a point's history: beside the text (in the aside) or, on a phone, right under the point ---

const phone = window.matchMedia("(max-width: 760px)");

function keepHistory() { document.querySelector("aside").append($("history")); }

function placeHistory() {
  const section = $("diff").hidden ? $("text") : $("diff");
  const point = state.point ? section.querySelector(`[data-label="${CSS.escape(state.point)}"]`) : null;
  for (const node of document.querySelectorAll(".selected")) node.classList.remove("selected");
  if (point) point.classList.add("selected");
  if (phone.matches && point) (point.nextElementSibling?.classList.contains("table-wrap") ? point.nextElementSibling : point).after($("history"));
  else keepHistory();
  return point;
}
phone.addEventListener("change", placeHistory);

async function showHistory(label, run) {
  const panel = $("history");
  const key = `${label}|${mood()}`;
  if (shown.history !== key) {
    panel.innerHTML = label ? `<h2>${esc(t("history_of", label))}</h2>` + (await get(`/v1/history/${encodeURIComponent(label)}`, run)).map((h) =>
      `<h3>${esc(h.provision)}</h3>` + h.steps.map(step).join("")).join("")
      : `<h2>${esc(t("history"))}</h2><p class="hint">${esc(t("history_hint"))}</p>`;
    if (label) panel.insertAdjacentHTML("afterbegin", `<button type="button" class="close" aria-label="${esc(t("close"))}">×</button>`);
    shown.history = key;
  }
  const point = placeHistory();
  if (point && shown.point !== label) point.scrollIntoView({block: phone.matches ? "start" : "center"});
  shown.point = label;
}

function step(s) {
  if (s.type === "Repealed") {
    return `<div class="version repealed">${esc(t("repealed_since", showDay(s.since)))} — ${esc(t("citation", s.by))}</div>`;
  }
  const v = s.version, w = v.content.wording;
  const text = `<div class="wording" lang="et">${wording(w.text ?? null, w.type === "Unknown" ? "unknown" : w.type === "Reconstructed" ? "reconstructed" : "known",
    w.reason ?? w.basis)}</div>`;
  const renumbered = s.change.verb === "renumbered" ? `<br><span class="annotation">${esc(t("numbered", v.label))}: ${esc(t("citation", s.change))}</span>` : "";
  const bound = (day) => assumedDays.has(day) ? ` (${t("assumed_date")})` : "";  // a bound an assumed act date sets
  const period = t("in_force", showDay(v.start) + bound(v.start), v.end ? showDay(dayBefore(v.end)) + bound(v.end) : null);
  const assumed = (s.assumptions || []).map((a) => `<br><span class="marker assumed-marker" lang="${lang}">${esc(a)}</span>`).join("");
  return `<div class="version"><b>${esc(v.label)}</b> <span class="period">${esc(period)}</span>` +
    `${text}<span class="annotation">${esc(t("citation", s.citation))}</span>${renumbered}${assumed}</div>`;
}

// --- a comparison of two dates ---

function sideText(answer) {  // the wording of one side of a change, with its type
  if (!answer || !answer.version) return null;
  const w = answer.version.content.wording;
  return {type: w.type, text: w.text ?? null, why: w.reason ?? w.basis ?? ""};
}

function side(which, s, mark) {
  const shownText = s.type === "Unknown" ? wording(null, "unknown", s.why)
    : `${mark === "ins" ? `<ins>${esc(s.text)}</ins>` : mark === "del" ? `<del>${esc(s.text)}</del>` : esc(s.text)}` +
      (s.type === "Reconstructed" ? ` <span class="marker reconstructed-marker" title="${esc(s.why)}">[${esc(t("reconstructed"))}]</span>` : "");
  return `<div class="side ${which}"><span class="side-label">${esc(t(which))}:</span> <span lang="et">${shownText}</span></div>`;
}

// The tables of changed points as printed on each date (the text export formats their cells).
async function tablesOf(day, changes, which, run) {
  if (!changes.some((c) => c[which]?.version?.content?.table)) return new Map();
  const data = await get(`/v1/text?on=${day}&format=json`, run);
  return new Map(data.points.filter((p) => p.table).map((p) => [p.provision, p.table]));
}

function changedTables(c, tables) {
  return ["before", "after"].map((which) => {
    const printed = c[which] && tables[which].get(c[which].version.provision);
    return printed ? `<div class="side ${which}"><span class="side-label">${esc(t(which))}:</span>${table(printed)}</div>` : "";
  }).join("");
}

function change(c, tables) {
  const label = (c.after || c.before).label;
  const before = sideText(c.before), after = sideText(c.after);
  const kinds = c.kinds.map((k) => t("kinds")[k] ?? k).join(", ");
  const renumbered = c.kinds.includes("renumbered") && c.before && c.after ? ` (${esc(c.before.label)} → ${esc(c.after.label)})` : "";
  let body = "";
  if (c.kinds.includes("added") && after) body = side("new_text", after, "ins");
  else if (c.kinds.includes("repealed") && before) body = side("removed_text", before, "del");
  else if (c.kinds.includes("reworded") && before && after) {
    if (before.type === "Unknown" || after.type === "Unknown" || !c.words) body = side("before", before) + side("after", after);
    else {
      const words = c.words.map(([op, text]) => op === "=" ? esc(text) : op === "+" ? `<ins>${esc(text)}</ins>` : `<del>${esc(text)}</del>`).join(" ");
      const marks = [["before", before], ["after", after]].filter(([, s]) => s.type === "Reconstructed").map(([which, s]) =>
        `<span class="marker reconstructed-marker" title="${esc(s.why)}">[${esc(t(which))}: ${esc(t("reconstructed"))}]</span>`).join(" ");
      body = `<div class="words" lang="et">${words}</div>${marks}`;
    }
  }
  return `<div class="change" data-label="${esc(label)}" tabindex="0"><b>${esc(label)}</b>${renumbered}: ${esc(kinds)}${body}` +
    `${changedTables(c, tables)}</div>`;
}

async function showDiff(from, to, run) {
  const key = `${from}|${to}|${mood()}`;
  if (shown.diff === key) return;
  const changes = await get(`/v1/diff?before=${from}&after=${to}`, run);
  const [before, after] = await Promise.all([tablesOf(from, changes, "before", run), tablesOf(to, changes, "after", run)]);
  keepHistory();
  $("diff").innerHTML = `<h2 id="diff-title">${esc(t("changes", showDay(from), showDay(to)))}</h2>` +
    (changes.length ? changes.map((c) => change(c, {before, after})).join("") : `<p>${esc(t("no_changes"))}</p>`);
  shown.diff = key;
  shown.point = undefined;
}

// --- wiring ---

$("dates").addEventListener("submit", (event) => {
  event.preventDefault();
  const on = isoDay($("on").value);
  if (!on) { report(new Error(t("not_a_date", t("in_force_on"), $("on").value))); return; }
  go({as_of: on, from: null, to: null, view: null});
});
$("compare-button").addEventListener("click", () => {
  const on = isoDay($("on").value), other = isoDay($("compare").value);
  if (!on || !other) { report(new Error(t("not_a_date", t("compare_with"), on ? $("compare").value : $("on").value))); return; }
  go({from: other, to: on, as_of: on, view: null});
});
function pick(event) {
  const point = event.target.closest(".point, .change");
  if (!point || event.target.closest("#history")) return;
  if (event.type === "keydown" && event.key !== "Enter") return;
  go({point: point.dataset.label});
}
for (const id of ["text", "diff"]) { $(id).addEventListener("click", pick); $(id).addEventListener("keydown", pick); }
$("history").addEventListener("click", (event) => { if (event.target.closest(".close")) go({point: null}); });
$("choices").addEventListener("change", choose);
$("choices").addEventListener("submit", (event) => event.preventDefault());
$("timeline").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-day]");
  if (!link) return;
  event.preventDefault();
  go({as_of: link.dataset.day, from: null, to: null, view: null});
});
for (const id of ["view-text", "view-costs"]) $(id).addEventListener("click", (event) => {
  event.preventDefault();
  go(id === "view-costs" ? {view: "costs", from: null, to: null} : {view: null, from: null, to: null});
});
$("lang-switch").addEventListener("click", (event) => {
  event.preventDefault();
  const other = lang === "et" ? "en" : "et";
  localStorage.setItem("tat-lang", other);
  go({lang: other});
});
window.addEventListener("popstate", () => { state = readUrl(); render().catch(report); });
if (state.lang) localStorage.setItem("tat-lang", state.lang);
if (phone.matches) $("acts-details").open = false;  // on a phone the text comes first; the acts one tap away
document.addEventListener("DOMContentLoaded", () => render().catch(report));  // after costs.js too
