"""Figure builders: a panel's DataFrame in, a Plotly figure out. Pure: no I/O, no global state."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.panels import weighted_retention
from webapp.components.theme import (EMPTY_MESSAGE, GROWTH_COLORS, PLATFORM_COLORS, PLATFORM_NAMES, SEGMENT_COLORS,
                                     SERIES, TEMPLATE, blank, empty_state, figure)


def _split(frame: pd.DataFrame, column: str, complete: str) -> tuple[pd.Series, pd.Series]:
    """A series as two: its complete points, and its incomplete ones joined to the first complete point so the
    line runs on (docs/metrics.md#edges-of-the-data: incomplete windows are drawn dashed)."""
    ok = frame[complete].astype(bool)
    solid = frame[column].where(ok)
    joined = ok & ~ok.shift(1, fill_value=True)  # the first complete point after incomplete ones
    dashed = frame[column].where(~ok | joined)
    return solid, dashed


def _line_pair(fig: go.Figure, frame: pd.DataFrame, column: str, complete: str, name: str, color: str,
               hover: str, **trace) -> None:
    """A daily series as a line, dashed where its window is incomplete; `trace` styles the solid part only."""
    solid, dashed = _split(frame, column, complete)
    fig.add_scatter(x=frame["day"], y=solid, name=name, mode="lines", legendgroup=name,
                    line={"color": color, "width": 2}, hovertemplate=f"{hover}<extra>{name}</extra>", **trace)
    if dashed.notna().any():
        fig.add_scatter(x=frame["day"], y=dashed, name=f"{name} (window before the data)", mode="lines",
                        legendgroup=name, showlegend=False, opacity=0.6,
                        line={"color": color, "width": 2, "dash": "dash"},
                        hovertemplate=f"{hover} (incomplete: window reaches before the data)<extra>{name}</extra>")


def activity(frame: pd.DataFrame) -> go.Figure:
    """DAU with its 7-day moving average, WAU and MAU, by day; WAU and MAU dashed where their window reaches before
    the first day of data."""
    if blank(frame, "dau"):
        return empty_state(frame)
    fig = figure(height=340, yaxis_title="users", yaxis_tickformat=",.0f")
    fig.add_scatter(x=frame["day"], y=frame["dau"], name="DAU", mode="lines", line={"width": 1.5, "color": SERIES[0]},
                    hovertemplate="%{y:,.0f}<extra>DAU</extra>")
    fig.add_scatter(x=frame["day"], y=frame["dau_ma7"], name="DAU, 7-day average", mode="lines",
                    line={"width": 3, "color": SERIES[1]}, hovertemplate="%{y:,.1f}<extra>DAU, 7-day average</extra>")
    _line_pair(fig, frame, "wau", "is_wau_complete", "WAU", SERIES[2], "%{y:,.0f}")
    _line_pair(fig, frame, "mau", "is_mau_complete", "MAU", SERIES[4], "%{y:,.0f}")
    _previous_line(fig, frame, "dau_previous", "DAU, previous period", "%{y:,.0f}")
    _mark_incomplete(fig, frame, "is_mau_complete")
    return fig


def _previous_line(fig: go.Figure, frame: pd.DataFrame, column: str, name: str, value: str) -> None:
    """The previous period's values drawn over this period's days, dashed grey, hover naming the earlier day
    (a frame of panels.overview_activity_compared; nothing for a frame without it)."""
    if column not in frame or not frame[column].notna().any():
        return
    fig.add_scatter(x=frame["day"], y=frame[column], name=name, mode="lines", connectgaps=False,
                    line={"color": PREVIOUS_COLOR, "width": 2, "dash": "dash"},
                    customdata=frame["previous_day"].dt.strftime("%Y-%m-%d"),
                    hovertemplate=f"{value} on %{{customdata}}<extra>{name}</extra>")


def _mark_incomplete(fig: go.Figure, frame: pd.DataFrame, complete: str) -> None:
    """Shade the days whose window reaches before the first day of data."""
    early = frame.loc[~frame[complete].astype(bool), "day"]
    if len(early):
        fig.add_vrect(x0=early.min() - pd.Timedelta(hours=12), x1=early.max() + pd.Timedelta(hours=12),
                      fillcolor="#ADB5BD", opacity=0.12, line_width=0, layer="below",
                      annotation_text="window reaches before the data", annotation_position="top left",
                      annotation_font={"size": 11, "color": "#868E96"})


RESTATED_COLOR = "#F08C00"
PREVIOUS_COLOR = "#868E96"


def mark_restated(fig: go.Figure, marks: pd.DataFrame, grain: str = "day") -> go.Figure:
    """Shade the days a recent run restated (analytics/panels.restatements), each labelled "restated on <date> by
    run N"; with weekly bars, the weeks holding them. The figure, for chaining."""
    if not len(marks) or not fig.data:
        return fig
    half = pd.Timedelta(days=3.5) if grain == "week" else pd.Timedelta(hours=12)
    for row in marks.itertuples():
        first, last = pd.Timestamp(row.first_day), pd.Timestamp(row.last_day)
        if grain == "week":  # the bars stand at each week's Monday
            first, last = first - pd.Timedelta(days=first.weekday()), last - pd.Timedelta(days=last.weekday())
        label = f"restated on {pd.Timestamp(row.ended_at):%Y-%m-%d} by run {int(row.run_id)}"
        fig.add_vrect(x0=first - half, x1=last + half, fillcolor=RESTATED_COLOR, opacity=0.12, line_width=0,
                      layer="below", annotation_text=label, annotation_position="bottom left",
                      annotation_font={"size": 11, "color": "#D9480F"}, name=f"restated-run-{int(row.run_id)}")
    return fig


def stickiness(frame: pd.DataFrame) -> go.Figure:
    """DAU / MAU by day, dashed where the 30-day window reaches before the first day of data."""
    if blank(frame, "dau"):
        return empty_state(frame)
    fig = figure(height=260, yaxis_tickformat=".0%", yaxis_title="DAU / MAU")
    _line_pair(fig, frame, "stickiness", "is_mau_complete", "Stickiness", SERIES[0], "%{y:.1%}", fill="tozeroy")
    _previous_line(fig, frame, "stickiness_previous", "Stickiness, previous period", "%{y:.1%}")
    _mark_incomplete(fig, frame, "is_mau_complete")
    return fig


def platform_comparison(frame: pd.DataFrame) -> go.Figure:
    """The selected platforms side by side: active users, events per user, stickiness, share of events."""
    if blank(frame, "active_users"):
        return empty_state(frame)
    panels = [("active_users", "Active users", ",.0f"), ("events_per_user", "Events per user", ",.1f"),
              ("stickiness", "Stickiness (DAU/MAU)", ".0%"), ("share_of_events", "Share of events", ".0%")]
    fig = make_subplots(rows=1, cols=4, subplot_titles=[title for _, title, _ in panels], horizontal_spacing=0.06)
    colors = [PLATFORM_COLORS.get(p, "#868E96") for p in frame["platform"]]
    for i, (column, title, fmt) in enumerate(panels, start=1):
        fig.add_bar(x=frame["display_name"], y=frame[column], marker_color=colors, name=title, row=1, col=i,
                    texttemplate=f"%{{y:{fmt}}}", textposition="outside", cliponaxis=False)
        fig.update_yaxes(tickformat=fmt, row=1, col=i)
    fig.update_layout(template=TEMPLATE, height=320, showlegend=False, hovermode="closest")
    return fig


def apps_per_user(frame: pd.DataFrame) -> go.Figure:
    """How many people use 1, 2, 3 ... of the selected apps."""
    if blank(frame, "users"):
        return empty_state(frame)
    fig = figure(height=280, xaxis_title="apps used", yaxis_title="users", hovermode="closest",
                 xaxis={"dtick": 1})
    fig.add_bar(x=frame["apps"], y=frame["users"], texttemplate="%{customdata:.0%}", customdata=frame["share"],
                textposition="outside", cliponaxis=False, name="users")
    return fig


def platform_pairs(frame: pd.DataFrame) -> go.Figure:
    """Users active on both platforms of each pair, as a symmetric heatmap."""
    if blank(frame, "users"):
        return empty_state(frame, "Select at least two platforms to see which are used together"
                      if frame is not None and frame.empty else EMPTY_MESSAGE)
    names = list(dict.fromkeys(list(frame["platform_a"]) + list(frame["platform_b"])))
    grid = pd.DataFrame(0, index=names, columns=names, dtype=float)
    for row in frame.itertuples():
        grid.loc[row.platform_a, row.platform_b] = grid.loc[row.platform_b, row.platform_a] = row.users
    for name in names:
        grid.loc[name, name] = None
    labels = [PLATFORM_NAMES.get(n, n) for n in names]
    fig = figure(height=300, hovermode="closest")
    fig.add_heatmap(z=grid.values, x=labels, y=labels, colorscale="Blues", texttemplate="%{z:,.0f}",
                    hovertemplate="%{x} + %{y}: %{z:,.0f} users<extra></extra>", showscale=False)
    fig.update_yaxes(autorange="reversed", rangemode=None)
    return fig


def funnel(frame: pd.DataFrame) -> go.Figure:
    """view > like > comment > share > create, with conversion from the previous step and from the first."""
    if blank(frame, "users"):
        return empty_state(frame)
    labels = [f"{p:.0%} of previous, {f:.0%} of first" if pd.notna(p) else ""
              for p, f in zip(frame["from_previous"], frame["from_first"])]
    fig = figure(height=340, hovermode="closest")
    fig.add_funnel(y=frame["event_type"].str.capitalize(), x=frame["users"], text=labels,
                   texttemplate="%{x:,.0f} users<br>%{text}", textposition="inside",
                   hovertemplate="%{y}: %{x:,.0f} users, %{text}<extra></extra>",
                   connector={"line": {"color": "#DEE2E6"}}, marker={"color": "#3B5BDB"})
    return fig


# Retention's colours: light to dark blue, with most of the steps between 70% and 100%, so 75% and 90% differ.
RETENTION_SCALE = [[0.0, "#F1F5FB"], [0.2, "#D0DEF2"], [0.4, "#A9C4E8"], [0.55, "#7FA6DB"], [0.7, "#5A8ACF"],
                   [0.8, "#3A6EC0"], [0.9, "#1F4FA3"], [1.0, "#0B2E6B"]]


def cohort_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Weekly cohorts by weeks since first activity, under a first row: the weighted average of every cohort's
    complete cells (panels.weighted_retention); incomplete weeks are blank and marked, never a drop."""
    if blank(frame, "cohort_size"):
        return empty_state(frame)
    complete = frame[frame["is_complete"]]
    grid = complete.pivot(index="cohort_week", columns="period", values="retention")
    all_periods = sorted(frame["period"].unique())
    grid = grid.reindex(index=sorted(frame["cohort_week"].unique()), columns=all_periods)
    sizes = frame.groupby("cohort_week")["cohort_size"].first()
    whole = frame.groupby("cohort_week")["is_cohort_complete"].first()
    y = [f"{pd.Timestamp(w):%Y-%m-%d} (n={sizes[w]:,}{'' if whole[w] else ', partial week'})" for w in grid.index]
    average = weighted_retention(frame).set_index("period").reindex(all_periods)
    z = [list(average["retention"])] + [list(row) for row in grid.values]
    y = [f"All cohorts, weighted (n={int(sizes.sum()):,})"] + y
    text = [["…" if pd.isna(v) else f"{v:.0%}" for v in row] for row in z]
    fig = figure(height=max(300, 26 * len(z) + 80), hovermode="closest", xaxis_title="weeks since first activity")
    fig.add_heatmap(z=z, x=[str(p) for p in grid.columns], y=y, text=text, texttemplate="%{text}",
                    colorscale=RETENTION_SCALE, zmin=0, zmax=1, colorbar={"tickformat": ".0%"},
                    hovertemplate="%{y}, week %{x}: %{text}<extra></extra>")
    fig.update_xaxes(type="category")
    fig.update_yaxes(autorange="reversed", rangemode=None, type="category")
    return fig


def retention_curve(frame: pd.DataFrame) -> go.Figure:
    """D1, D3, D7, D14, D30 retention, each point labelled with its sample size (the people old enough for it)."""
    if blank(frame, "cohort_users"):
        return empty_state(frame)
    shown = frame[frame["cohort_users"] > 0]
    top = float(shown["retention"].max()) if shown["retention"].notna().any() else 1.0
    fig = figure(height=300, yaxis_tickformat=".0%", yaxis_title="active on day N", xaxis_title="day N",
                 hovermode="closest", xaxis={"tickvals": list(frame["day_n"])},
                 yaxis={"range": [0, min(1.0, top) * 1.3 + 0.02]})
    fig.add_scatter(x=shown["day_n"], y=shown["retention"], mode="lines+markers+text", name="retention",
                    text=[f"{v:.0%}<br>n={n:,}" for v, n in zip(shown["retention"], shown["cohort_users"])],
                    textposition="top center", cliponaxis=False,
                    customdata=shown["cohort_users"],
                    hovertemplate="D%{x}: %{y:.1%} of %{customdata:,} users<extra></extra>")
    return fig


GROWTH_NAMES = {"new_users": "New", "retained": "Retained", "resurrected": "Resurrected", "churned": "Churned"}


def growth_bars(fig: go.Figure, frame: pd.DataFrame, period: str, legend: bool, **where) -> None:
    """A growth frame's bars: new, retained, resurrected above zero, churned below; hatched and paler where the
    period or the one before it is not fully in the data. `period` labels the hover; `where` places them (a
    subplot's row and col, or secondary_y)."""
    complete = frame["is_complete"].astype(bool)
    for column, name in GROWTH_NAMES.items():
        sign = -1 if column == "churned" else 1
        for whole, part in ((True, frame[complete]), (False, frame[~complete])):
            if part.empty:
                continue
            note = "" if whole else " (partial: this period or the one before is not fully in the data)"
            fig.add_bar(x=part["period_start"], y=sign * part[column], name=name, legendgroup=name,
                        showlegend=legend and (whole or not complete.any()),
                        marker={"color": GROWTH_COLORS[column], "opacity": 1.0 if whole else 0.45,
                                "pattern": {"shape": "" if whole else "/"}},
                        hovertemplate=f"{period}: %{{y:,.0f}}{note}<extra>{name}</extra>", **where)


def growth(frame: pd.DataFrame, grain: str = "week") -> go.Figure:
    """New, retained and resurrected above zero, churned below; hatched where the period or the one before it is not
    fully in the data; the Quick Ratio of complete periods on its own axis, with a line at 1."""
    if blank(frame, "active") and blank(frame, "churned"):
        return empty_state(frame)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    complete = frame["is_complete"].astype(bool)
    period = "week of %{x|%Y-%m-%d}" if grain == "week" else "%{x|%Y-%m-%d}"
    growth_bars(fig, frame, period, legend=True, secondary_y=False)
    ratio = frame["quick_ratio"].where(complete)
    fig.add_scatter(x=frame["period_start"], y=ratio, name="Quick Ratio", mode="lines+markers",
                    line={"color": "#212529", "width": 2}, secondary_y=True, connectgaps=False,
                    hovertemplate=f"{period}: %{{y:.2f}}<extra>Quick Ratio</extra>")
    fig.update_layout(template=TEMPLATE, barmode="relative", height=380)
    if grain == "week":
        weeks = max(1, len(frame))
        fig.update_xaxes(tick0=frame["period_start"].min(), dtick=7 * 86_400_000 * -(-weeks // 12),
                         tickformat="%b %d")
    top = float(ratio.max()) if ratio.notna().any() else 1.0
    fig.update_yaxes(title_text="users", secondary_y=False, rangemode="normal", tickformat=",.0f")
    fig.update_yaxes(title_text="Quick Ratio", secondary_y=True, showgrid=False, range=[0, max(2.0, top * 1.15)],
                     tickformat=".1f", tickmode="auto", nticks=6)
    fig.add_hline(y=1, secondary_y=True, line={"color": "#868E96", "dash": "dot", "width": 1})
    fig.add_annotation(text="Quick Ratio 1: as many in as out", x=1, xref="paper", xanchor="right", y=1, yref="y2",
                       yanchor="bottom", showarrow=False, font={"size": 11, "color": "#868E96"})
    return fig


def choropleth(frame: pd.DataFrame) -> go.Figure:
    """Active users by home country on a world map (geometry served by the app, not a CDN)."""
    if blank(frame, "users"):
        return empty_state(frame)
    mapped = frame[frame["iso3"].notna()]
    fig = figure(height=420, hovermode="closest", margin={"l": 0, "r": 0, "t": 8, "b": 0})
    fig.add_choropleth(locations=mapped["iso3"], z=mapped["users"], text=mapped["country_name"],
                       locationmode="ISO-3", colorscale="Blues", marker_line_color="white",
                       colorbar={"title": {"text": "users"}},
                       hovertemplate="%{text}: %{z:,} users<extra></extra>")
    fig.update_geos(showframe=False, showcoastlines=False, projection_type="natural earth",
                    showcountries=True, countrycolor="#DEE2E6", landcolor="#F8F9FA", showland=True)
    return fig


def engagement_distribution(frame: pd.DataFrame) -> go.Figure:
    """Users per 5-point engagement-score bin, one trace per segment."""
    if blank(frame, "users"):
        return empty_state(frame)
    fig = figure(height=340, barmode="group", xaxis_title="engagement score (0-100)", yaxis_title="users",
                 hovermode="closest")
    order = {name: i for i, name in enumerate(SEGMENT_COLORS)}
    for segment, part in sorted(frame.groupby("segment"), key=lambda kv: order.get(kv[0], len(order))):
        fig.add_bar(x=part["score_bin"] + 2.5, y=part["users"], name=str(segment), width=1.1,
                    marker_color=SEGMENT_COLORS.get(str(segment)))
    fig.update_xaxes(range=[0, 100], dtick=10)
    return fig


def pareto(frame: pd.DataFrame) -> go.Figure:
    """Cumulative share of events by percentile of users, most active first, with the top 1% and 10% marked."""
    if blank(frame, "events"):
        return empty_state(frame)
    fig = figure(height=340, xaxis_title="top % of users (most active first)", yaxis_title="share of events",
                 yaxis_tickformat=".0%", hovermode="closest")
    fig.add_scatter(x=frame["percentile"], y=frame["cumulative_share"], mode="lines", name="cumulative share",
                    line={"width": 3}, hovertemplate="top %{x}%: %{y:.1%} of events<extra></extra>")
    fig.add_scatter(x=[0, 100], y=[0, 1], mode="lines", name="if all were equal", line={"dash": "dot", "width": 1})
    for pct in (1, 10):
        share = frame.loc[frame["percentile"] == pct, "cumulative_share"]
        if len(share):
            fig.add_annotation(x=pct, y=float(share.iloc[0]), text=f"top {pct}%: {float(share.iloc[0]):.0%}",
                               showarrow=True, arrowhead=2, ax=40, ay=30)
    return fig
