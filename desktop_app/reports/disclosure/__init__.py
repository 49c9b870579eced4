"""财务公开 sheets: registry (sections and blocks), context, layout and PDF engine, builder."""
