// The reading room's cost form: its choices come from the rules in force on the decision date
// (GET /v1/costs/form), amounts and dates are sent as the user writes them ("2 500,00", 01.06.2019)
// for the engine to read by its one rule, and the verdict comes back with its reasons.
"use strict";
// --- the cost form: its choices from the rules in force on the decision date ---

let costForm = null;

async function showCostForm(day, run) {
  const form = $("cost-form");
  form.elements.as_of.value = showDay(day);
  const key = `${day}|${mood()}`;
  if (shown.costs === key) return;
  costForm = await get(`/v1/costs/form?as_of=${day}`, run);
  const activity = form.elements.activity.value, category = form.elements.category.value;
  form.elements.activity.innerHTML = costForm.activities.map((a) =>
    `<option value="${esc(a.name)}">${esc(a.name)} ${esc(a.title ?? "")}</option>`).join("");
  const option = (c) => `<option value="${esc(c.point)}">${esc(c.point)} ${esc(c.name)}` +
    (c.activities.length ? ` (${esc(t("only_for", c.activities.join(", ")))})` : "") + "</option>";
  form.elements.category.innerHTML =
    `<optgroup label="${esc(t("categories"))}">${costForm.categories.filter((c) => !c.excluded).map(option).join("")}</optgroup>` +
    `<optgroup label="${esc(t("excluded"))}">${costForm.categories.filter((c) => c.excluded).map(option).join("")}</optgroup>`;
  if (activity) form.elements.activity.value = activity;
  if (category) form.elements.category.value = category;
  if (!form.elements.activity.value) form.elements.activity.selectedIndex = 0;
  shown.costs = key;
  fitForm();
}

function fitForm() {  // the parties of the activity chosen; the fields the chosen category's rules read
  const form = $("cost-form");
  const activity = costForm.activities.find((a) => a.name === form.elements.activity.value);
  const party = form.elements.party.value;
  const parties = [];
  if (activity) {
    parties.push(`<option value="implementer">${esc(t("implementer"))} (${esc(activity.implementer ?? "—")})</option>`);
    if (activity.partner || !activity.partner_known) {
      parties.push(`<option value="partner">${esc(t("partner"))} (${esc(activity.partner ?? t("partner_unknown"))})</option>`);
    }
  }
  form.elements.party.innerHTML = parties.join("");
  if ([...form.elements.party.options].some((o) => o.value === party)) form.elements.party.value = party;
  const category = costForm.categories.find((c) => c.point === form.elements.category.value) || {};
  const mode = form.elements.mode.value;
  form.elements.mode.innerHTML = `<option value="">${esc(t("none"))}</option>` +
    (category.modes || []).map((m) => `<option>${esc(m)}</option>`).join("");
  if ((category.modes || []).includes(mode)) form.elements.mode.value = mode;
  for (const field of form.querySelectorAll(".conditional")) {
    const wanted = category[field.dataset.when];
    field.hidden = !(Array.isArray(wanted) ? wanted.length : wanted);
  }
}

async function checkCost(event) {
  event.preventDefault();
  $("cost-result").innerHTML = "";  // no earlier verdict stands beside the new question
  const form = $("cost-form"), fields = form.elements;
  const asOf = isoDay(fields.as_of.value);
  if (!asOf) {
    $("cost-result").innerHTML = `<p class="verdict invalid">${esc(t("not_a_date", t("as_of"), fields.as_of.value))}</p>`;
    return;
  }
  if (isoDay(state.as_of) !== asOf) go({as_of: asOf}, true);
  const category = costForm.categories.find((c) => c.point === fields.category.value) || {};
  const body = {activity: fields.activity.value, party: fields.party.value, category: fields.category.value,
    incurred_on: fields.incurred_on.value.trim(), paid_on: fields.paid_on.value.trim(), amount: fields.amount.value.trim(),
    note: fields.note.value, excess: category.excess && fields.excess.value.trim() ? fields.excess.value.trim() : "0",
    mode: category.modes?.length ? fields.mode.value : "", written_proof: Boolean(category.written_proof) && fields.written_proof.checked,
    on_documents: Boolean(category.on_documents) && fields.on_documents.checked};
  const response = await fetch(asked(`/v1/costs/check?as_of=${asOf}`),
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) {
    $("cost-result").innerHTML = `<p class="verdict invalid">${esc(data.detail)}</p>`;
    return;
  }
  const reasons = String(data.reasons || "").split(/; (?=(?:\d+(?:\.\d+)*|Lisa \d+|-)[ :(])/).filter(Boolean);
  const verdict = t("verdicts")[data.verdict] ?? data.verdict;
  $("cost-result").innerHTML = `<p class="verdict ${esc(data.verdict.replace(/ /g, "-"))}" data-verdict="${esc(data.verdict)}">` +
    `${esc(verdict)} — ${esc(t("eligible_amount"))} ${esc(money(data.eligible))} €</p>` +
    `<h3>${esc(t("reasons"))}</h3><ul class="reasons">${reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>`;
}

function money(value) {  // "2500.00" -> "2 500,00" (Estonian, thousands grouped) or "2,500.00"; no float on the way
  const [whole, cents = ""] = String(value).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, lang === "et" ? "\u00a0" : ",");
  return `${grouped}${lang === "et" ? "," : "."}${cents.padEnd(2, "0")}`;
}

$("cost-form").addEventListener("submit", (event) => checkCost(event).catch((error) => {
  $("cost-result").innerHTML = `<p class="verdict invalid">${esc(error.message)}</p>`;
}));
$("cost-form").elements.activity.addEventListener("change", fitForm);
$("cost-form").elements.category.addEventListener("change", fitForm);
$("cost-form").elements.as_of.addEventListener("change", () => {
  const day = isoDay($("cost-form").elements.as_of.value);
  if (day) go({as_of: day}, true);
});
