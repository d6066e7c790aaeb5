"""Round 3's FRESH held-aside part of the real-curve corpus (issue 16).

Same dict shape as entries.py; rows live verbatim in raw/<id>.txt.
build_corpus.py writes these entries to the manifest with "part": "fresh".
They were collected after the detection rules had been tuned on the dev part
and on the round-2 held-aside part (which has since been used for tuning
too), from threads that feed no other part. Nobody tuning rules looks at
them: bench/curves_report.py counts them in every figure but never names one.
"""

ENTRIES_FRESH = []
