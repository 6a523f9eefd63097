"""Models: the dbt project as assets, its tests as checks, and what a failed build says."""
