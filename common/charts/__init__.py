"""The one chart engine: charts drawn on the server as SVG, with no script, from the rows of the
table shown beside them. `columns` draws column charts (the roll-out's trained people against
the target, with breaks for quiet months); `lines` draws line and bar charts (the dashboard's
trends and shares)."""
