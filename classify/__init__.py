"""Pure text classification for pilah: no database, no I/O beyond model and lexicon files.

- :mod:`classify.text`: normaliser for informal Indonesian, cached stemmer, ``TextNormalizer``
- :mod:`classify.category`: the category Pipeline and its explanations
- :mod:`classify.location`, :mod:`classify.clarity`, :mod:`classify.pii`: place, unclear posts, personal data
- :mod:`classify.train`, :mod:`classify.evaluate`, :mod:`classify.registry`: training, k-fold reports, versions
- :mod:`classify.tagger`: everything triage needs about a post, from one call

Estimators follow scikit-learn's contract (STYLE.md rule 6). Nothing here imports ``pilah``,
``ingest`` or ``triage``.
"""
