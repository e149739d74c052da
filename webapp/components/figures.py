"""Figure builders: a panel's DataFrame in, a Plotly figure out. Pure: no I/O, no global state."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from webapp.components.theme import (EMPTY_MESSAGE, GROWTH_COLORS, PLATFORM_COLORS, PLATFORM_NAMES, SEGMENT_COLORS,
                              TEMPLATE, empty_figure, figure)


def _blank(frame: pd.DataFrame, column: str | None = None) -> bool:
    return frame is None or frame.empty or (column is not None and not frame[column].fillna(0).any())


def activity(frame: pd.DataFrame) -> go.Figure:
    """DAU with its 7-day moving average, WAU and MAU, by day."""
    if _blank(frame, "dau"):
        return empty_figure()
    fig = figure(height=340, yaxis_title="users")
    fig.add_scatter(x=frame["day"], y=frame["dau"], name="DAU", mode="lines", line={"width": 1.5})
    fig.add_scatter(x=frame["day"], y=frame["dau_ma7"], name="DAU, 7-day average", mode="lines",
                    line={"width": 3})
    fig.add_scatter(x=frame["day"], y=frame["wau"], name="WAU", mode="lines", line={"dash": "dot"})
    fig.add_scatter(x=frame["day"], y=frame["mau"], name="MAU", mode="lines", line={"dash": "dash"})
    return fig


def stickiness(frame: pd.DataFrame) -> go.Figure:
    """DAU / MAU by day."""
    if _blank(frame, "dau"):
        return empty_figure()
    fig = figure(height=260, yaxis_tickformat=".0%", yaxis_title="DAU / MAU")
    fig.add_scatter(x=frame["day"], y=frame["stickiness"], name="Stickiness", mode="lines", fill="tozeroy")
    return fig


def platform_comparison(frame: pd.DataFrame) -> go.Figure:
    """The selected platforms side by side: active users, events per user, stickiness, share of events."""
    if _blank(frame, "active_users"):
        return empty_figure()
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
    if _blank(frame, "users"):
        return empty_figure()
    fig = figure(height=280, xaxis_title="apps used", yaxis_title="users", hovermode="closest",
                 xaxis={"dtick": 1})
    fig.add_bar(x=frame["apps"], y=frame["users"], texttemplate="%{customdata:.0%}", customdata=frame["share"],
                textposition="outside", cliponaxis=False, name="users")
    return fig


def platform_pairs(frame: pd.DataFrame) -> go.Figure:
    """Users active on both platforms of each pair, as a symmetric heatmap."""
    if _blank(frame, "users"):
        return empty_figure("Select at least two platforms to see which are used together"
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
    if _blank(frame, "users"):
        return empty_figure()
    labels = [f"{p:.0%} of previous, {f:.0%} of first" if pd.notna(p) else ""
              for p, f in zip(frame["from_previous"], frame["from_first"])]
    fig = figure(height=340, hovermode="closest")
    fig.add_funnel(y=frame["event_type"].str.capitalize(), x=frame["users"], text=labels,
                   textinfo="value+text", textposition="inside",
                   connector={"line": {"color": "#DEE2E6"}}, marker={"color": "#3B5BDB"})
    return fig


def cohort_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Weekly cohorts by weeks since first activity; incomplete weeks are blank and marked, never a drop."""
    if _blank(frame, "cohort_size"):
        return empty_figure()
    complete = frame[frame["is_complete"]]
    grid = complete.pivot(index="cohort_week", columns="period", values="retention")
    all_periods = sorted(frame["period"].unique())
    grid = grid.reindex(index=sorted(frame["cohort_week"].unique()), columns=all_periods)
    sizes = frame.groupby("cohort_week")["cohort_size"].first()
    y = [f"{pd.Timestamp(w):%Y-%m-%d} (n={sizes[w]:,})" for w in grid.index]
    text = [["…" if pd.isna(v) else f"{v:.0%}" for v in row] for row in grid.values]
    fig = figure(height=max(300, 26 * len(grid) + 80), hovermode="closest", xaxis_title="weeks since first activity")
    fig.add_heatmap(z=grid.values, x=[str(p) for p in grid.columns], y=y, text=text, texttemplate="%{text}",
                    colorscale="Blues", zmin=0, zmax=1, colorbar={"tickformat": ".0%"},
                    hovertemplate="%{y}, week %{x}: %{text}<extra></extra>")
    fig.update_xaxes(type="category")
    fig.update_yaxes(autorange="reversed", rangemode=None, type="category")
    return fig


def retention_curve(frame: pd.DataFrame) -> go.Figure:
    """D1, D3, D7, D14, D30 retention."""
    if _blank(frame, "cohort_users"):
        return empty_figure()
    shown = frame[frame["cohort_users"] > 0]
    fig = figure(height=300, yaxis_tickformat=".0%", yaxis_title="active on day N", xaxis_title="day N",
                 hovermode="closest", xaxis={"tickvals": list(frame["day_n"])})
    fig.add_scatter(x=shown["day_n"], y=shown["retention"], mode="lines+markers+text", name="retention",
                    text=[f"{v:.0%}" for v in shown["retention"]], textposition="top center",
                    customdata=shown["cohort_users"],
                    hovertemplate="D%{x}: %{y:.1%} of %{customdata:,} users<extra></extra>")
    return fig


def growth(frame: pd.DataFrame) -> go.Figure:
    """New, retained and resurrected above zero, churned below; the Quick Ratio on its own axis."""
    if _blank(frame, "active") and _blank(frame, "churned"):
        return empty_figure()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    names = {"new_users": "New", "retained": "Retained", "resurrected": "Resurrected", "churned": "Churned"}
    for column, name in names.items():
        sign = -1 if column == "churned" else 1
        fig.add_bar(x=frame["period_start"], y=sign * frame[column], name=name,
                    marker_color=GROWTH_COLORS[column], secondary_y=False)
    fig.add_scatter(x=frame["period_start"], y=frame["quick_ratio"], name="Quick Ratio", mode="lines+markers",
                    line={"color": "#212529", "width": 2}, secondary_y=True, connectgaps=False)
    fig.update_layout(template=TEMPLATE, barmode="relative", height=380)
    fig.update_yaxes(title_text="users", secondary_y=False, rangemode="normal")
    fig.update_yaxes(title_text="Quick Ratio", secondary_y=True, rangemode="tozero", showgrid=False)
    return fig


def choropleth(frame: pd.DataFrame) -> go.Figure:
    """Active users by home country on a world map (geometry served by the app, not a CDN)."""
    if _blank(frame, "users"):
        return empty_figure()
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
    if _blank(frame, "users"):
        return empty_figure()
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
    if _blank(frame, "events"):
        return empty_figure()
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
