"""Reading sources with positions: YAML front matter, the Markdown body, files inside a case folder."""
