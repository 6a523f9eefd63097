"""One module per tool: `auth(tool)`, `scopes(run)` and `collect_scope(scope)`."""
