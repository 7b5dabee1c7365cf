"""Answering: the prompt (`prompt`), generators (`generators`), sentence splitting
(`sentences`), support scoring (`words`, `support`, `scorers`), verification (`verifier`),
citation markers and quotes (`citations`), follow-up rewriting (`followups`), terminal rendering
(`render`) and the pipeline that runs them (`pipeline`). Import from the modules: retrieval
depends on the scorers, and the pipeline on retrieval."""
