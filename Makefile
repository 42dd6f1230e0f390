# The two commands of the README. Each sets up what it needs (scripts/setup.sh) first.
.PHONY: build test bench fuzz picture screenshots setup clean

build: setup
	.venv/bin/casepub build cases/

test: setup
	.venv/bin/ruff check casepub tests bench scripts
	.venv/bin/mypy
	.venv/bin/python -m pytest

bench: setup
	.venv/bin/python bench/check_bench.py
	.venv/bin/python bench/render_bench.py
	.venv/bin/python bench/issue_bench.py
	.venv/bin/python bench/hostile_bench.py
	.venv/bin/python bench/regex_bench.py
	.venv/bin/python bench/jats_bench.py

fuzz: setup
	.venv/bin/python bench/fuzz.py --minutes 10

picture: setup
	.venv/bin/python scripts/make_readme_picture.py

screenshots: setup
	.venv/bin/python scripts/make_screenshots.py

setup:
	@bash scripts/setup.sh

clean:
	rm -rf build .venv .pytest_cache .hypothesis
