"""Production XML: an article as JATS 1.3 (jats.py), an issue's Crossref and PubMed deposits, and their
validation against the standards' own schemas, packaged in casepub/schemas/ (validate.py, schematron.py)."""
