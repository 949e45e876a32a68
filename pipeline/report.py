"""``wirewatch report DIR --html FILE``: one self-contained HTML page of the crisis summaries.

No scripts, no external assets: inline CSS and SVG charts, so the file can be
mailed or archived as it is. Only the newest pane of each (country, window) is
shown: that is what an analyst reads.
"""
import collections
import html

from wirewatch.transforms.summarise.core import ALERT_LEVELS, latest_panes

ALERT_COLOURS = {'NONE': '#9aa5b1', 'WATCH': '#e8b500', 'WARNING': '#e8590c', 'CRISIS': '#c92a2a'}


def _esc(value):
    return html.escape('' if value is None else str(value))


def intensity_chart(series, width=520, height=120):
    """An inline SVG bar chart of (label, value, alert_level) triples."""
    if not series:
        return ''
    top = max(v for _, v, _ in series) or 1.0
    bar = max(4, min(40, (width - 40) // len(series) - 4))
    parts = [f'<svg class="chart" width="{width}" height="{height + 30}" role="img" '
             f'aria-label="intensity by window">']
    for i, (label, value, alert) in enumerate(series):
        h = max(1, int(height * value / top))
        x = 30 + i * (bar + 4)
        parts.append(f'<rect x="{x}" y="{height - h}" width="{bar}" height="{h}" '
                     f'fill="{ALERT_COLOURS.get(alert, "#888")}"><title>{_esc(label)}: '
                     f'{value:.1f} ({_esc(alert)})</title></rect>')
        if len(series) <= 14:
            parts.append(f'<text x="{x}" y="{height + 14}" font-size="9">{_esc(label[5:])}</text>')
    parts.append(f'<text x="0" y="10" font-size="9">{top:.0f}</text></svg>')
    return ''.join(parts)


def render_report(summaries, title='wirewatch crisis report'):
    """The HTML page (a string) for these CountrySummary records."""
    rows = latest_panes(summaries)
    by_country = collections.defaultdict(list)
    for s in rows:
        by_country[s['country']].append(s)
    order = sorted(by_country, key=lambda c: -max(s['intensity'] for s in by_country[c]))
    out = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>',
           '<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}'
           'table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 8px;border-bottom:1px solid #ddd;'
           'text-align:right}td:first-child,th:first-child{text-align:left}.alert{color:#fff;'
           'padding:1px 6px;border-radius:3px}section{margin-bottom:2em}</style></head><body>',
           f'<h1>{_esc(title)}</h1>',
           f'<p>{len(order)} countries, {len(rows)} country-windows. Tolls are reconciled: '
           'one figure reported by many outlets counts once.</p>']
    out.append('<table><tr><th>country</th><th>worst alert</th><th>windows</th><th>events</th>'
               '<th>killed</th><th>injured</th><th>arrested</th><th>articles</th></tr>')
    for c in order:
        ss = by_country[c]
        worst = max(ss, key=lambda s: ALERT_LEVELS.index(s['alert_level']))
        out.append(
            f'<tr><td><a href="#{_esc(c)}">{_esc(ss[0]["country_name"])} ({_esc(c)})</a></td>'
            f'<td><span class="alert" style="background:{ALERT_COLOURS[worst["alert_level"]]}">'
            f'{_esc(worst["alert_level"])}</span></td><td>{len(ss)}</td>'
            f'<td>{sum(s["events"] for s in ss)}</td>'
            + ''.join(f'<td>{_esc(sum(s[k] or 0 for s in ss) if any(s[k] is not None for s in ss) else "-")}</td>'
                      for k in ('killed', 'injured', 'arrested'))
            + f'<td>{sum(s["articles"] for s in ss)}</td></tr>')
    out.append('</table>')
    for c in order:
        ss = sorted(by_country[c], key=lambda s: s['window_start'])
        out.append(f'<section id="{_esc(c)}"><h2>{_esc(ss[0]["country_name"])} ({_esc(c)})</h2>')
        out.append(intensity_chart([(f'{s["window_start"]:%Y-%m-%d}', s['intensity'], s['alert_level'])
                                    for s in ss]))
        out.append('<table><tr><th>window (UTC)</th><th>pane</th><th>alert</th><th>events</th>'
                   '<th>by type</th><th>killed</th><th>injured</th><th>arrested</th><th>stories</th>'
                   '<th>articles</th><th>sources</th></tr>')
        for s in ss:
            types = ', '.join(f'{k} {v}' for k, v in sorted(s['events_by_type'].items()))
            out.append(
                f'<tr><td>{s["window_start"]:%Y-%m-%d %H:%M}</td><td>{_esc(s["pane"])}'
                f'{"" if s["is_final"] else " (open)"}</td><td>{_esc(s["alert_level"])}</td>'
                f'<td>{s["events"]}</td><td>{_esc(types)}</td>'
                + ''.join(f'<td>{_esc("-" if s[k] is None else s[k])}</td>'
                          for k in ('killed', 'injured', 'arrested'))
                + f'<td>{s["stories"]}</td><td>{s["articles"]}</td><td>{s["sources"]}</td></tr>')
        out.append('</table>')
        latest = ss[-1]
        if latest['top_actors'] or latest['top_locations']:
            out.append(f'<p><b>Actors:</b> {_esc(", ".join(latest["top_actors"]))}<br>'
                       f'<b>Places:</b> {_esc(", ".join(latest["top_locations"]))}</p>')
        heads = [h for s in ss for h in s['headlines']]
        if heads:
            out.append('<ul>')
            for h in sorted(heads, key=lambda h: -h['sources'])[:8]:
                link = (f'<a href="{_esc(h["url"])}">{_esc(h["title"])}</a>' if h['url']
                        else _esc(h['title']))
                out.append(f'<li>{link} ({h["sources"]} source{"s" if h["sources"] != 1 else ""})</li>')
            out.append('</ul>')
        out.append('</section>')
    out.append('</body></html>')
    return '\n'.join(out)
