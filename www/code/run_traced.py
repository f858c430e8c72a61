"""Runs a learner's program under the tracer in CPython built for the
browser (Pyodide): what www/code/worker.js calls, and so, through it,
tests/e2e/pyodide.mjs. The build copies it next to the worker, which
writes it and tracer.py to Pyodide's filesystem and imports it.

    run(source, cancels="[]") -> the document, as JSON text

`cancels` is JSON: a list of [loop, iteration, task name], the tasks the
learner cancelled (see tracer.Tracer.cancel_as_asked).
"""
import json
import os
import sys

import tracer

# The page's budget, as graph mode's (src/engine/budget.rs: 25,000
# callbacks): a run that long is already more than a page can show, and
# the tracer's own budget (100,000 iterations) makes a 34 MB document that
# takes the browser seconds to pass on.
tracer.MAX_ITERATIONS = 25_000
# As graph mode's page (2,000 tasks); and pictures of at most 300,000
# items, a document of about 10 MB for the page to read.
tracer.MAX_TASKS = 2_000
tracer.MAX_LISTED = 300_000
tracer.MAX_EVENTS = 50_000


def run(source, cancels="[]"):
    real_stdout, real_stderr = sys.stdout, sys.stderr
    # What the program writes is in the document; the streams it goes on
    # to say nothing (as `tracer.py trace` does).
    nowhere = open(os.devnull, "w")
    sys.stdout = sys.stderr = nowhere
    try:
        error = tracer.run_source(source, "program.py", True, json.loads(cancels))
        document = tracer._tracer.document(error)
    finally:
        sys.stdout, sys.stderr = real_stdout, real_stderr
        nowhere.close()
    return json.dumps(document, ensure_ascii=False)
