"""The page's styles, inline in the page: system fonts only, nothing fetched."""

CSS = """\
:root { --text: #1f2937; --muted: #6b7280; --line: #e5e7eb; --panel: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: var(--text);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 6px; padding-top: 12px; border-top: 2px solid var(--text); }
h3 { font-size: 16px; margin: 26px 0 4px; }
h4 { font-size: 15px; margin: 0 0 6px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.lede, .note, .muted, figcaption, .detail { color: var(--muted); }
.note { margin: 0 0 10px; font-size: 13px; }
.muted { font-weight: normal; font-size: 12px; }
header nav { margin-top: 10px; }
.demo-data { margin: 10px 0 0; padding: 8px 14px; background: #fef3c7; border: 1px solid #f59e0b;
             border-radius: 6px; }
a { color: #2f6fdf; }
dl.snapshot { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 12px 0 0; padding: 10px 14px;
              background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
dl.snapshot dt { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
dl.snapshot dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 1px solid #cbd5e1; }
tbody th { font-weight: 600; white-space: nowrap; }
th.grain-organisation { font-size: 14px; }
tr[data-grain="organisation"], tr[data-grain="value_stream"] { background: var(--panel); }
td .value { font-variant-numeric: tabular-nums; font-weight: 600; }
td .detail { display: block; font-size: 11px; }
.tier { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 11px; font-weight: 600; }
.tier-elite { background: #d1fae5; color: #065f46; }
.tier-high { background: #dbeafe; color: #1e40af; }
.tier-medium { background: #fef3c7; color: #92400e; }
.tier-low { background: #fee2e2; color: #991b1b; }
.tier-none { color: var(--muted); }
.share { white-space: nowrap; margin-right: 6px; }
.share i { display: inline-block; width: 8px; height: 8px; margin-right: 3px; border-radius: 2px; }
.grid { display: grid; gap: 12px 16px; }
.grid.cols-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.grid.cols-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
figure.chart { margin: 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; margin-top: 2px; }
.team-card { margin: 10px 0 18px; padding: 12px 14px; border: 1px solid var(--line); border-radius: 6px; }
.flag-count { margin-left: 8px; padding: 1px 7px; border-radius: 9px; background: #fee2e2; color: #991b1b;
              font-size: 11px; font-weight: 600; }
table.flagged ul { margin: 0; padding-left: 16px; }
td.none, p.none { color: var(--muted); font-style: italic; }
mark.few-data { padding: 0 5px; border-radius: 9px; background: #fde68a; color: #78350f; font-size: 11px;
                font-weight: 600; }
td.few-data-cell .value, td.few-data-cell { color: #6b7280; }
td .delta { font-variant-numeric: tabular-nums; }
details.explain { font-size: 11px; color: var(--muted); }
details.explain summary { cursor: pointer; }
details.explain code { display: block; white-space: normal; word-break: break-all; font-size: 11px; }
p.gaps { margin: 10px 0 0; font-size: 13px; }
p.gaps.has-gaps { padding: 6px 12px; background: #fff7ed; border: 1px solid #fdba74; border-radius: 6px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
@media print { h2 { break-before: page; } .team-card, figure.chart { break-inside: avoid; }
              details.explain { display: none; } }
"""
