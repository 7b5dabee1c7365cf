"""The SQL schema: every table Footnote stores (the database is the source of truth)."""

import sqlalchemy as sa

metadata = sa.MetaData()

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("collection", sa.String(200), nullable=False, default="default", index=True),
    sa.Column("source", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("url", sa.Text, nullable=False, default=""),
    sa.Column("date", sa.String(40), nullable=False, default=""),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

chunks = sa.Table(
    "chunks",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("document_id", sa.String(64), nullable=False, index=True),
    sa.Column("vector_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False, index=True),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("heading", sa.Text, nullable=False, server_default=""),  # "Guide > Reset"
    sa.Column("pages", sa.JSON, nullable=True),  # [[offset in chunk, page], ...] for PDFs
    sa.Column("titles", sa.JSON, nullable=True),  # [[start, end], ...] heading lines in text
)

embeddings = sa.Table(
    "embeddings",
    metadata,
    sa.Column("text_hash", sa.String(64), primary_key=True),
    sa.Column("model", sa.String(500), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),  # float32 bytes
)

answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("sentences", sa.JSON, nullable=False),
    sa.Column("timings", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    # standalone_question, relevance, fallback, counts, closest (rag.serialise.AnswerJSON)
    sa.Column("details", sa.JSON, nullable=True),
)

citations = sa.Table(
    "citations",
    metadata,
    sa.Column("answer_id", sa.String(32), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("chunk_id", sa.String(64), nullable=False),  # no FK: answers outlive chunks
    sa.Column("document_id", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("passage", sa.Text, nullable=False),
    sa.Column("quote_start", sa.Integer, nullable=False),
    sa.Column("quote_end", sa.Integer, nullable=False),
    sa.Column("url", sa.Text, nullable=False, server_default=""),
    sa.Column("date", sa.String(40), nullable=False, server_default=""),
    sa.Column("page", sa.Integer, nullable=False, server_default="0"),  # of the quote; 0: none
)

eval_runs = sa.Table(
    "eval_runs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # retrieval | answers
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("dataset_hash", sa.String(64), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),  # limit, sample, seed
    sa.Column("metrics", sa.JSON, nullable=True),  # name -> {value, low, high, n}
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float, nullable=True),
)

eval_results = sa.Table(
    "eval_results",
    metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("example_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
)

crawls = sa.Table(
    "crawls",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("site", sa.Text, nullable=False, index=True),  # origin + path prefix
    sa.Column("start_url", sa.Text, nullable=False),
    sa.Column("collection", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # running | interrupted | finished
    sa.Column("report", sa.JSON, nullable=False),
    sa.Column("frontier", sa.JSON, nullable=False),  # [[url, depth], ...] left to visit
    sa.Column("visited", sa.JSON, nullable=False),  # URLs done (for resuming)
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float, nullable=True),
)

crawl_pages = sa.Table(
    "crawl_pages",
    metadata,
    sa.Column("site", sa.Text, primary_key=True),
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),  # stored | skipped | failed
    sa.Column("source", sa.Text, nullable=False),  # the document it is stored as ("" if none)
    sa.Column("etag", sa.Text, nullable=False),
    sa.Column("last_modified", sa.Text, nullable=False),
    sa.Column("lastmod", sa.Text, nullable=False),  # sitemap lastmod when last fetched
    sa.Column("links", sa.JSON, nullable=False),  # in-scope links, for pages answered 304
    sa.Column("crawl_id", sa.String(32), nullable=False),
    sa.Column("fetched_at", sa.Float, nullable=False),
)

collections = sa.Table(
    "collections",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.Float, nullable=False),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("answer_id", sa.String(32), nullable=False, index=True),
    sa.Column("rating", sa.Integer, nullable=False),  # +1 up, -1 down
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("source", sa.String(20), nullable=False),  # api | app | cli
    sa.Column("key_id", sa.String(32), nullable=False, default=""),
    sa.Column("created_at", sa.Float, nullable=False),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("key_id", sa.String(32), nullable=False, index=True),  # "" for the app
    sa.Column("collections", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("conversation_id", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer_id", sa.String(32), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("role", sa.String(10), nullable=False),  # ask | admin
    sa.Column("collections", sa.JSON, nullable=False),
    sa.Column("rate_per_minute", sa.Integer, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

answer_keys = sa.Table(  # which API key an answer was given to (feedback and reads check it)
    "answer_keys",
    metadata,
    sa.Column("answer_id", sa.String(32), primary_key=True),
    sa.Column("key_id", sa.String(32), nullable=False),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # crawl | ingest
    sa.Column("collection", sa.String(200), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # running | done | failed | cancelled
    sa.Column("progress", sa.JSON, nullable=False),
    sa.Column("error", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float, nullable=True),
)
