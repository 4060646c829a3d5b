"""The CPOR Portal benchmark: `python -m bench` (or `make bench`).

It fills a dedicated PostgreSQL database with a million claims (`bench.generate`), then times
the partner's and the reviewers' pages, the MPN audit, the CSV export, the worker and the list
page under load against the targets of DESIGN.md section 7, and writes `bench/results/latest.md`.
"""
