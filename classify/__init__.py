"""Pure text classification for pilah: no database, no I/O beyond loading model files.

Estimators follow scikit-learn's conventions (fit/predict/predict_proba, Pipeline-composable);
`classify.tagger.Tagger` composes them into what triage calls.
"""
