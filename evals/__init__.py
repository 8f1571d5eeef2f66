"""The eval suite: gold datasets, metrics, baselines, the runner and its report.

`companion eval --dataset samples|qmsum` is the entry point; `evals/README.md` defines every
metric and the JSONL gold format for an organisation's own questions.
"""
