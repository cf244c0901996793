"""The report as one self-contained, accessible HTML page: learners per status, a completion funnel
per module and each quiz's score distribution as bar charts that are also tables (numbers always
shown, so no chart depends on colour or sight), and a sortable, filterable table of learners.

Nothing is loaded from elsewhere (inline CSS and script); every value from the LMS is escaped.
Without JavaScript the page is complete; the script only adds sorting and filtering.
"""

from __future__ import annotations

from html import escape

from coursepack.report.rules import STATUSES, Report, ReportRow
from coursepack.report.show import describe_open_short, duration, iso_local, percent

BINS = (("0–49", 0, 50), ("50–69", 50, 70), ("70–79", 70, 80), ("80–89", 80, 90), ("90–100", 90, 100.01))

NOT_TAKEN = '<span aria-hidden="true">–</span><span class="sr">not taken</span>'

CSS = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --bar: #1f5fa8; --line: #c8c8c8; }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); margin: 1.5rem; max-width: 80rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .9rem; background: var(--bar); vertical-align: middle; margin-right: .4rem; }
.charts { display: flex; flex-wrap: wrap; gap: 2rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
.controls { display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; margin: .5rem 0; }
label { display: block; font-weight: 600; }
input, select, button { font: inherit; }
th button { border: 0; background: none; padding: 0; font-weight: 700; cursor: pointer; text-decoration: underline; }
:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
.muted { color: var(--muted); }
#learners td:nth-child(4), #learners td:nth-child(6), #learners td:nth-child(7) { white-space: nowrap; }
#learners td:nth-child(10) { min-width: 18rem; }  /* the open rules: a readable width, not a column of single words */
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
"""

SCRIPT = """
(function () {
  var table = document.getElementById("learners"), body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById("filter-text"), status = document.getElementById("filter-status");
  var live = document.getElementById("shown");
  function filter() {
    var q = text.value.trim().toLowerCase(), s = status.value, n = 0;
    rows.forEach(function (r) {
      var show = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) && (!s || r.getAttribute("data-status") === s);
      r.hidden = !show; if (show) n++;
    });
    live.textContent = n + " of " + rows.length + " learners shown";
  }
  text.addEventListener("input", filter); status.addEventListener("change", filter);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    var button = th.querySelector("button"); if (!button) return;
    button.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var numeric = th.hasAttribute("data-numeric");
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
        var d = numeric ? (parseFloat(x) || -1) - (parseFloat(y) || -1) : x.localeCompare(y);
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.getElementById("controls").hidden = false;
  filter();
})();
"""


def _bar_rows(items: list[tuple[str, int]], total: int) -> str:
    out = []
    for label, count in items:
        width = 0 if total == 0 else round(12 * count / total, 2)
        out.append(
            f'<tr><th scope="row">{escape(label)}</th>'
            f'<td class="num"><span class="bar" style="width:{width}rem" aria-hidden="true"></span>{count}</td></tr>'
        )
    return "".join(out)


def _chart(caption: str, head: str, items: list[tuple[str, int]], total: int) -> str:
    return (
        f'<table><caption>{escape(caption)}</caption><thead><tr><th scope="col">{escape(head)}</th>'
        f'<th scope="col" class="num">Learners</th></tr></thead><tbody>{_bar_rows(items, total)}</tbody></table>'
    )


def _quiz_distribution(report: Report) -> str:
    head = "".join(f'<th scope="col" class="num">{escape(label)} %</th>' for label, _, _ in BINS)
    rows = []
    for quiz in report.quizzes:
        scores = [row.quiz_best.get(quiz) for row in report.rows]
        cells = [sum(1 for s in scores if s is None)]
        cells += [sum(1 for s in scores if s is not None and low <= s < high) for _, low, high in BINS]
        rows.append(f'<tr><th scope="row">{escape(quiz)}</th>' + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
    return (
        '<table><caption>Best quiz scores: learners per range</caption><thead><tr><th scope="col">Quiz</th>'
        f'<th scope="col" class="num">Not taken</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _learner_row(row: ReportRow) -> str:
    # a dash for a quiz not taken, which a screen reader would read as "dash": it hears "not taken"
    scores = " ".join(NOT_TAKEN if v is None else str(escape(percent(v))) for v in row.quiz_best.values())
    lowest = min((v for v in row.quiz_best.values() if v is not None), default=None)
    cells = [
        (escape(row.name), escape(row.name.lower())),
        (escape(row.identifier), escape(row.identifier.lower())),
        (f"{row.modules_done}/{row.modules_total}", str(row.modules_done)),
        (scores, "" if lowest is None else str(lowest)),
        (f"{row.reflections_answered}/{row.reflections_total}", str(row.reflections_answered)),
        (iso_local(row.first_activity), iso_local(row.first_activity)),
        (iso_local(row.last_activity), iso_local(row.last_activity)),
        (duration(row.seconds), "" if row.seconds is None else str(row.seconds)),
        (escape(row.status), str(STATUSES.index(row.status))),
        (escape(describe_open_short(row)) or '<span class="muted">none</span>', str(len(row.open_rules))),
        (escape(row.certificate_id), escape(row.certificate_id)),
    ]
    tds = "".join(f'<td data-sort="{sort}">{shown}</td>' for shown, sort in cells)
    return f'<tr data-status="{escape(row.status)}">{tds}</tr>'


COLUMNS = (
    ("Name", False), ("Identifier", False), ("Modules completed", True), ("Best quiz scores (%)", True),
    ("Reflections answered", True), ("First activity (UTC)", False), ("Last activity (UTC)", False),
    ("Total time", True), ("Status", True), ("Open rules", True), ("Certificate", False),
)


def html_page(report: Report) -> str:
    total = len(report.rows)
    status_items = [(s, sum(1 for r in report.rows if r.status == s)) for s in reversed(STATUSES)]
    funnel = [(title, report.module_done_counts.get(mid, 0)) for mid, title in report.modules]
    heads = "".join(
        f'<th scope="col"{" data-numeric" if numeric else ""}><button type="button">{escape(name)}</button></th>'
        for name, numeric in COLUMNS
    )
    options = "".join(f'<option value="{escape(s)}">{escape(s)}</option>' for s in reversed(STATUSES))
    rule = "certificate" if report.has_certificate else "completion"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Report: {escape(report.title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>Report: {escape(report.title)}</h1>
<p>{total} learners. Status and open rules follow the course's {rule} rules in course.yaml. Times are UTC.
Quizzes in course order: {escape(", ".join(report.quizzes))}.</p>
<h2>Overview</h2>
<div class="charts">
{_chart("Learners per status", "Status", status_items, total)}
{_chart("Completion funnel: learners who completed each module", "Module", funnel, total)}
</div>
{_quiz_distribution(report)}
<h2 id="learners-heading">Learners</h2>
<div class="controls" id="controls" hidden>
<div><label for="filter-text">Filter by any text</label><input id="filter-text" type="search"></div>
<div><label for="filter-status">Status</label><select id="filter-status"><option value="">all</option>{options}</select></div>
<p id="shown" aria-live="polite"></p>
</div>
<table id="learners" aria-labelledby="learners-heading">
<thead><tr>{heads}</tr></thead>
<tbody>{"".join(_learner_row(r) for r in report.rows)}</tbody>
</table>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""
