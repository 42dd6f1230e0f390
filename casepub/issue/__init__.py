"""Issue builds: every article of an issue rendered in parallel, cached, numbered, with one report.

    manifest.py   the issue manifest (which cases, in what order, the issue's numbers)
    placement.py  where an article stands in the issue (its pages)
    results.py    what the worker processes report back (typed, and the cache's JSON)
    cache.py      content keys and the state a rebuild reuses
    pool.py       the worker processes, with time limits and crash recovery
    work.py       what one worker does for one article
    assemble.py   pages, the table of contents and the issue PDF
    build.py      the whole build, and its report
    progress.py   the progress bar
"""
