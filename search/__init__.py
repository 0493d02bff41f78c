"""Public faceted search over practices: one interface (search.backends), two engines."""
