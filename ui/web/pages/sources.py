"""Sources: add sites, sitemaps, URLs and files in the background; see and manage documents."""

import time

import pandas as pd
import streamlit as st

from rag.errors import FootnoteError
from ui.web import state

app = state.app()
jobs = app.jobs

st.title("Sources")

collections = list(app.store.collections.counts()) or ["default"]
left, right = st.columns([3, 2])
with left:
    collection = st.selectbox("Collection", collections, key="collection")
with right:
    new_name = st.text_input("New collection", placeholder="name, e.g. help-center")
    if st.button("Create collection") and new_name:
        try:
            app.store.collections.create(new_name.strip())
            st.session_state.collection = new_name.strip()
            st.rerun()
        except FootnoteError as exc:
            st.error(str(exc))

crawl_tab, upload_tab = st.tabs(["Website, sitemap or URL", "Upload files"])
with crawl_tab:
    url = st.text_input("Start URL", placeholder="https://docs.example.com/")
    c1, c2 = st.columns(2)
    max_pages = c1.number_input("Most pages", 1, 1_000_000, app.crawl_options().max_pages)
    prefix = c2.text_input("Only paths starting with", placeholder="/docs/ (optional)")
    if st.button("Crawl", type="primary", disabled=not url):
        from ingest.crawl.urls import normalize

        if normalize(url) is None:
            st.error(f"{url!r} is not an http(s) URL; give a full https://… address")
        else:
            jobs.crawl(collection, url.strip(), max_pages=int(max_pages), prefix=prefix.strip())
            st.toast("Crawl started")
with upload_tab:
    files = st.file_uploader(
        "HTML, Markdown, text, PDF, Word or PowerPoint files",
        type=["html", "htm", "md", "markdown", "txt", "rst", "pdf", "docx", "pptx"],
        accept_multiple_files=True,
    )
    if st.button("Ingest files", disabled=not files):
        saved = []
        for upload in files:
            target = jobs.upload_path(collection, upload.name)
            target.write_bytes(upload.getvalue())
            saved.append(target)
        jobs.ingest(collection, saved)
        st.toast(f"Ingesting {len(saved)} file(s)")


@st.fragment(run_every=1.0)
def show_jobs() -> None:
    recent = jobs.list(limit=10)
    if not recent:
        return
    st.subheader("Ingestion jobs")
    for job in recent:
        p = job.progress
        counts = ", ".join(
            f"{k} {p[k]}"
            for k in ("discovered", "found", "fetched", "processed", "new", "skipped", "failed")
            if k in p
        )
        line = f"**{job.kind}** {job.target} → {job.collection}: {job.status}"
        cols = st.columns([6, 1])
        cols[0].markdown(line + (f"  \n{counts}" if counts else ""))
        if job.error:
            cols[0].error(job.error)
        if job.status == "running" and cols[1].button("Cancel", key=f"cancel-{job.id}"):
            jobs.cancel(job.id)


show_jobs()

st.subheader(f"Documents in {collection}")
docs = app.store.collections.documents(collection)
if not docs:
    st.info("No documents yet: crawl a site or upload files above.")
else:
    table = pd.DataFrame(docs)
    table["updated"] = pd.to_datetime(table["updated_at"], unit="s").dt.strftime("%Y-%m-%d %H:%M")
    table["status"] = "indexed"
    shown = table[["title", "source", "status", "characters", "updated"]]
    st.dataframe(shown, use_container_width=True, hide_index=True)
    labels = {d["id"]: f"{d['title'] or d['source']} ({d['source']})" for d in docs}
    picked = st.selectbox("Document", list(labels), format_func=labels.get)
    a, b = st.columns(2)
    if a.button("Delete document", icon="🗑"):
        ingestor = app.ingestor()
        ingestor.remove([picked])
        ingestor.flush()
        st.toast("Deleted")
        time.sleep(0.3)
        st.rerun()
    source = next(d["source"] for d in docs if d["id"] == picked)
    if b.button("Re-fetch", disabled=not source.startswith(("http://", "https://"))):
        jobs.ingest(collection, [source])
        st.toast("Re-fetching")
