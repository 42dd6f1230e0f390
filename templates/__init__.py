"""casepub's templates, as the package casepub.templates (pyproject.toml maps this folder into the wheel)."""
