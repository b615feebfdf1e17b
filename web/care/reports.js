// The reports (care-admin and clinic-manager): response times, volumes, who reaches "scheduled", attempts
// and triage corrections, per week, from the aggregates the API keeps as inquiries change. Aggregates
// only: no inquiry, name or free text is ever part of an answer, so a clinic manager may see all of it.
// Each figure is a chart (SVG, with a text alternative) and the same numbers in a table beside it, with
// the figure's definition; the whole range downloads as CSV.

import { ApiError, exportReports, readReports } from "./api.js";
import { saveFile } from "./files.js";
import { errorSummary, fill, h, showFieldError } from "./render.js";
import { humanise, languageLabel, levelLabel, reasonLabel, topicLabel } from "./terms.js";

const SVG = "http://www.w3.org/2000/svg";
const WEEK = /^\d{4}-W\d{2}$/;
// Bars drawn per chart: a long range is still readable; the table beside it holds every number.
const MAX_BARS = 26;

/** Show the reports for the weeks `from`..`to` (ISO weeks such as 2026-W49 or dates; the API's default range). */
export async function showReports(view, { from, to } = {}) {
  const title = "Reports";
  view.title(title);
  const heading = h("h1", { tabindex: "-1" }, title);
  if (!view.session.seesReports) {
    fill(view.main, heading,
      h("p", {}, "Only care-team administrators and the clinic's managers can see the reports. Ask an administrator "
        + "if you need them."));
    heading.focus();
    return;
  }
  const summarySlot = h("div");
  const results = h("div", { class: "results", "aria-live": "polite", "aria-busy": "true" }, h("p", {}, "Loading…"));
  const form = rangeForm({ from, to });
  fill(view.main, summarySlot, heading,
    h("p", { class: "lede" }, "How quickly the care team reaches people, how many inquiries arrive and what "
      + "becomes of them, week by week. Counts and times only: no inquiry or person is shown here."),
    form, results);
  heading.focus();

  let report;
  try {
    report = await readReports({ from, to });
  } catch (error) {
    if (!(error instanceof ApiError && [400, 422].includes(error.status)) || !view.isCurrent()) throw error;
    results.removeAttribute("aria-busy");
    results.replaceChildren();
    const message = error.problems[0]?.message ?? error.message;
    const fieldId = error.problems[0]?.field === "to" ? "report-to" : "report-from";
    showFieldError(form.querySelector(`#${fieldId}`), message);
    const summary = errorSummary([{ message, fieldId }]);
    summarySlot.replaceChildren(summary);
    summary.focus();
    return;
  }
  if (!view.isCurrent()) return;
  results.removeAttribute("aria-busy");
  const figures = figuresOf(report);
  const download = h("button", { type: "button", class: "button button--secondary" }, "Download as CSV");
  const downloaded = h("p", { class: "hint", role: "status" });
  download.addEventListener("click", async () => {
    download.disabled = true;
    try {
      const file = await exportReports({ from, to });
      saveFile(file.text, file.filename);
      downloaded.textContent = `Downloaded ${file.filename}.`;
    } catch (error) {
      view.fail(error);
    } finally {
      download.disabled = false;
    }
  });
  const span = rangeText(report, { from, to });
  fill(results,
    h("p", { class: "report-range" }, span),
    h("div", { class: "report-tools" }, download, downloaded),
    figures.length
      ? h("nav", { class: "report-contents", "aria-label": "Figures on this page" },
        h("ul", {}, figures.map((figure, i) => h("li", {}, h("a", { href: `#figure-${i}` }, figure.title)))))
      : h("p", { class: "empty" }, "There is nothing to report for these weeks."),
    figures.map((figure, i) => figureSection(figure, i)));
}

function rangeForm({ from, to }) {
  const field = (id, label, value) => h("div", { class: "field" },
    h("label", { class: "label", for: id }, label),
    h("input", { class: "input input--medium", id, name: id, type: "week", value: WEEK.test(value ?? "") ? value : "",
                 "aria-describedby": "report-range-hint" }));
  const form = h("form", { class: "form", "aria-label": "Weeks to report", novalidate: true },
    h("p", { class: "hint", id: "report-range-hint" },
      "ISO weeks, Monday to Sunday. Leave both empty for the last 12 weeks; at most 53 weeks at a time."),
    h("div", { class: "form--inline" },
      field("report-from", "From the week of", from),
      field("report-to", "To the week of", to),
      h("button", { type: "submit", class: "button" }, "Show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, id] of [["from", "report-from"], ["to", "report-to"]]) {
      const value = form.querySelector(`#${id}`).value.trim();
      if (value) query.set(name, value);
    }
    location.hash = query.size ? `#/reports?${query}` : "#/reports";
  });
  return form;
}

function rangeText(report, { from, to }) {
  const weeks = Array.isArray(report.weeks) ? report.weeks : [];
  const first = report.from ?? weeks[0] ?? from;
  const last = report.to ?? weeks[weeks.length - 1] ?? to;
  if (!first || !last) return "The last 12 weeks.";
  const count = weeks.length ? ` (${weeks.length} ${weeks.length === 1 ? "week" : "weeks"})` : "";
  return `Weeks ${weekText(first)} to ${weekText(last)}${count}.`;
}

function weekText(value) {
  const text = String(value);
  return WEEK.test(text) ? text.replace("-W", ", week ") : text;
}

/** A week in a table or a chart: its ISO name (2026-W49), which the range above says in words. */
function weekCell(value) {
  return String(value ?? "—");
}

// The words for what a figure is broken down by, and for each measure a point of it carries.
const BY_LABELS = { level: "triage level", language: "language", topic: "topic", referral_source: "referral source",
                    direction: "direction", category: "first triage category" };
const MEASURE_LABELS = { count: "First contacts", median_minutes: "Median (minutes)", p90_minutes: "90th percentile (minutes)",
                         within_target_share: "Within target", share: "Share of the week's inquiries",
                         reached: "People reached", attempts: "Attempts" };
const VALUE_LABELS = { inquiries: "Inquiries", attempts: "Attempts per reached person", corrections: "Corrections" };

/**
 * The answer's figures (GET /care/reports: {weeks, figures: [{id, by, title, unit, definition, source,
 * series: [{key, points: [{week, ...measures}]}]}]}), each ready to draw: its heading, the measures its
 * points carry, and whether its numbers add up over weeks.
 */
export function figuresOf(report) {
  const raw = Array.isArray(report?.figures) ? report.figures : [];
  return raw.map((figure, i) => {
    const by = String(figure.by ?? "all");
    const series = (Array.isArray(figure.series) ? figure.series : [])
      .map((s) => ({ key: String(s.key ?? "all"), points: Array.isArray(s.points) ? s.points : [] }));
    const measures = [];
    for (const s of series) for (const p of s.points) for (const m of Object.keys(p)) {
      if (m !== "week" && !measures.includes(m)) measures.push(m);
    }
    const title = String(figure.title ?? humanise(figure.id ?? `figure_${i + 1}`));
    return {
      id: String(figure.id ?? `figure_${i + 1}`),
      by,
      title: by === "all" ? title : `${title} by ${BY_LABELS[by] ?? humanise(by).toLowerCase()}`,
      definition: figure.definition ? String(figure.definition) : "",
      source: figure.source ? String(figure.source) : "",
      unit: String(figure.unit ?? ""),
      series,
      measures,
      // Counts add up over weeks and keys; medians, shares and ratios do not.
      additive: measures.length === 1 && measures[0] === "value" && figure.unit !== "attempts",
    };
  });
}

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function measureLabel(measure, figure) {
  if (measure === "value") return VALUE_LABELS[figure.unit] ?? humanise(figure.unit || "value");
  return MEASURE_LABELS[measure] ?? humanise(measure);
}

/** A key of a breakdown (urgent, es, anxiety, search...) in words. */
function keyLabel(by, key) {
  if (key === "all") return "All";
  if (by === "level") return levelLabel(key);
  if (by === "language") return languageLabel(key);
  if (by === "topic") return topicLabel(key);
  if (by === "direction") return reasonLabel(key);
  return humanise(key);
}

/** A number in words: shares as percentages, minutes and ratios to one decimal, none as a dash. */
function numberText(measure, value) {
  if (!isNumber(value)) return "—";
  if (/share/.test(measure)) return `${(value * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })}%`;
  return value.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

/** The bars a figure draws: [{label, value, text}] and what they measure. */
function barsOf(figure) {
  if (figure.series.length === 1) {
    const measure = figure.measures.includes("median_minutes") ? "median_minutes"
      : figure.measures.includes("value") ? "value" : figure.measures[0];
    return { measure: `${measureLabel(measure, figure)}, per week`,
             bars: figure.series[0].points.map((p) => ({ label: weekCell(p.week), value: p[measure],
                                                          text: numberText(measure, p[measure]) })) };
  }
  if (figure.additive) {
    return { measure: `${measureLabel("value", figure)}, all weeks shown`,
             bars: figure.series.map((s) => {
               const total = s.points.reduce((n, p) => n + (isNumber(p.value) ? p.value : 0), 0);
               return { label: keyLabel(figure.by, s.key), value: total, text: numberText("value", total) };
             }) };
  }
  // Time to first contact by a breakdown: the share first contacted within target over all the weeks shown
  // (each week's share times its count is that week's on-time count).
  return { measure: "Within target, all weeks shown",
           bars: figure.series.map((s) => {
             const counted = s.points.reduce((n, p) => n + (isNumber(p.count) ? p.count : 0), 0);
             const onTime = s.points.reduce((n, p) => n + (isNumber(p.count) && isNumber(p.within_target_share)
               ? Math.round(p.count * p.within_target_share) : 0), 0);
             const share = counted ? onTime / counted : null;
             return { label: keyLabel(figure.by, s.key), value: share,
                      text: counted ? `${numberText("share", share)} of ${counted}` : "no first contact" };
           }) };
}

function figureSection(figure, index) {
  const titleId = `figure-${index}`;
  const hasData = figure.series.some((s) => s.points.length);
  return h("section", { class: "figure", "aria-labelledby": titleId },
    h("h2", { id: titleId, tabindex: "-1" }, figure.title),
    figure.definition ? h("p", { class: "figure__definition" }, h("strong", {}, "Definition: "), figure.definition) : null,
    hasData
      ? h("div", { class: "figure__body" }, chart(figure, titleId), numbersTable(figure))
      : h("p", { class: "empty" }, "No data in these weeks."));
}

/** A horizontal bar chart: drawn for sighted readers; its text alternative says the same numbers. */
function chart(figure, titleId) {
  const { measure, bars: all } = barsOf(figure);
  const bars = all.slice(0, MAX_BARS);
  const max = Math.max(0, ...bars.map((b) => (isNumber(b.value) ? b.value : 0)));
  const barHeight = 20;
  const gap = 8;
  const labelWidth = 170;
  const width = 560;
  const height = bars.length * (barHeight + gap) + gap;
  const chartTitleId = `${titleId}-chart-title`;
  const descId = `${titleId}-chart-desc`;
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart",
                                  "aria-labelledby": `${chartTitleId} ${descId}` });
  svg.append(
    svgElement("title", { id: chartTitleId }, `${figure.title}: ${measure.toLowerCase()}`),
    svgElement("desc", { id: descId }, bars.map((b) => `${b.label}: ${b.text}`).join("; ")
      + (all.length > bars.length ? `; ${all.length - bars.length} more in the table.` : ".")));
  bars.forEach((bar, i) => {
    const y = gap + i * (barHeight + gap);
    const value = isNumber(bar.value) ? bar.value : 0;
    const barWidth = max > 0 ? Math.max(value > 0 ? 2 : 0, ((width - labelWidth - 110) * value) / max) : 0;
    svg.append(
      svgElement("text", { x: labelWidth - 8, y: y + barHeight * 0.72, "text-anchor": "end", class: "chart__label",
                           "aria-hidden": "true" }, truncate(bar.label, 24)),
      svgElement("rect", { x: labelWidth, y, width: barWidth, height: barHeight, class: "chart__bar" }),
      svgElement("text", { x: labelWidth + barWidth + 6, y: y + barHeight * 0.72, class: "chart__value",
                           "aria-hidden": "true" }, bar.text));
  });
  return h("figure", { class: "figure__chart" }, svg,
    h("figcaption", { class: "hint" }, measure,
      all.length > bars.length ? `: the first ${bars.length} of ${all.length} are drawn; the table has them all.` : "."));
}

function svgElement(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * The figure's numbers: per week, its measures (one series); weeks by keys with a total row (counts by a
 * breakdown); or each key's weeks with their measures (times by a breakdown; weeks without any left out).
 */
function numbersTable(figure) {
  const caption = h("caption", { class: "visually-hidden" }, `${figure.title}: the numbers`);
  const headRow = (names) => h("thead", {}, h("tr", {}, names.map((n) => h("th", { scope: "col" }, n))));
  const cell = (measure, value) => h("td", { class: "number" }, numberText(measure, value));
  let table;
  if (figure.series.length === 1) {
    table = h("table", { class: "table table--numbers" }, caption,
      headRow(["Week", ...figure.measures.map((m) => measureLabel(m, figure))]),
      h("tbody", {}, figure.series[0].points.map((p) => h("tr", {},
        h("th", { scope: "row" }, weekCell(p.week)), figure.measures.map((m) => cell(m, p[m]))))));
  } else if (figure.additive) {
    const weeks = figure.series[0].points.map((p) => p.week);
    const total = (s) => s.points.reduce((n, p) => n + (isNumber(p.value) ? p.value : 0), 0);
    table = h("table", { class: "table table--numbers" }, caption,
      headRow(["Week", ...figure.series.map((s) => keyLabel(figure.by, s.key))]),
      h("tbody", {}, weeks.map((week, w) => h("tr", {},
        h("th", { scope: "row" }, weekCell(week)), figure.series.map((s) => cell("value", s.points[w]?.value))))),
      h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, "All weeks"),
        figure.series.map((s) => cell("value", total(s))))));
  } else {
    const rows = [];
    for (const s of figure.series) {
      for (const p of s.points) {
        if (isNumber(p.count) && p.count === 0) continue;
        rows.push(h("tr", {}, h("th", { scope: "row" }, `${keyLabel(figure.by, s.key)}, ${weekCell(p.week)}`),
          figure.measures.map((m) => cell(m, p[m]))));
      }
    }
    if (!rows.length) return h("p", { class: "empty" }, "No first contact in these weeks.");
    table = h("table", { class: "table table--numbers" }, caption,
      headRow([`${humanise(BY_LABELS[figure.by] ?? figure.by)} and week`, ...figure.measures.map((m) => measureLabel(m, figure))]),
      h("tbody", {}, rows));
  }
  return h("div", { class: "table-wrap figure__table", tabindex: "0", role: "region",
                    "aria-label": `${figure.title}: the numbers` }, table);
}
