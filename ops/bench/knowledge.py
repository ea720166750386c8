"""Knowledge benchmark (issue 5): ingestion speed and retrieval latency/recall. Reports, asserts nothing.

    .venv/bin/python ops/bench/knowledge.py [--sizes 10000,100000] [--queries 200]

Runs on the embedded PostgreSQL in its own database (shoreline_bench) and its own client schema,
both dropped and re-created each run, so it never touches the demo or test data.

* Ingestion: a generated 100-page PDF (fpdf2) and a generated 200-page site served on 127.0.0.1,
  through the real services (extraction/trafilatura, chunking, MiniLM embeddings, inserts).
* Retrieval: N chunks of one bot with synthetic clustered 384-d vectors (200 centroids + noise),
  generated inside Postgres: embedding 100k real chunks with MiniLM would take ~11 minutes on
  2 cores and measure the embedder, not the index. Database time = EXPLAIN ANALYZE execution
  time of the ANN query with the settings knowledge_search uses (HNSW_EF_SEARCH from tenants.knowledge.selectors, iterative scan).
  recall@10 is against exact search (enable_indexscan=off, a sequential scan over the bot's rows).
* Filtered search: a second bot with 25 chunks in the same table; every query asks k=10 for it
  and must get 10 rows (hnsw.iterative_scan), then k=40 and must get all 25.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
BENCH_DB = "shoreline_bench"


def _setup_django() -> None:
    from ops import embedded

    embedded.start_all()
    import psycopg

    dsn = f"host={embedded.postgres_socket_dir()} user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = f"postgresql://postgres@/{BENCH_DB}?host={embedded.postgres_socket_dir()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("ensure_public_tenant", verbosity=0)


def _client():
    from controlplane.clients.models import Client

    client = Client(schema_name="c_bench_kb", slug="bench-kb", name="Bench KB")
    client.save()  # creates and migrates the schema
    return client


def _pdf(pages: int) -> bytes:
    from fpdf import FPDF

    topics = ["opening hours", "parking", "membership prices", "class schedule", "towel service", "lockers",
              "guest passes", "personal training", "sauna rules", "holiday closures"]
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in range(pages):
        pdf.add_page()
        topic = topics[page % len(topics)]
        text = "\n\n".join(
            f"Section {page + 1}.{n + 1} about {topic}: members asked about {topic} on page {page + 1}. "
            f"The answer depends on the plan, the day of the week and the location number {page * 7 + n}. "
            f"Staff keep this policy up to date and review it every quarter with the owner." for n in range(4))
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def bench_pdf(bot_id: int) -> dict[str, float]:
    from agents.embeddings.minilm import _load_tokenizer, default_model_dir
    from tenants.knowledge.chunking import chunk_text
    from tenants.knowledge.documents import document_extract
    from tenants.knowledge.services import document_ingest

    data = _pdf(100)
    started, cpu_started = time.perf_counter(), time.process_time()
    document = document_extract(file_name="handbook.pdf", data=data)
    extracted = time.perf_counter()
    result = document_ingest(bot_id=bot_id, document=document)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    tokenizer = _load_tokenizer(str(default_model_dir()))
    tokens = [len(e.ids) for e in tokenizer.encode_batch(chunk_text(document.text))]
    return {"pages": document.pages, "bytes": len(data), "chunks": result.chunks_created,
            "tokens_per_chunk_mean": round(statistics.mean(tokens), 1) if tokens else 0,
            "extract_s": round(extracted - started, 2), "total_s": round(total, 2), "cpu_s": round(cpu, 2),
            "chunks_per_s": round(result.chunks_created / total, 1),
            "chunks_per_cpu_s": round(result.chunks_created / cpu, 1) if cpu else 0.0,
            "loadavg_1m": round(os.getloadavg()[0], 2)}


class _Site(BaseHTTPRequestHandler):
    pages = 200

    def do_GET(self) -> None:  # noqa: N802
        host = f"http://{self.headers['Host']}"
        if self.path == "/robots.txt":
            body, kind = f"User-agent: *\nSitemap: {host}/sitemap.xml\n", "text/plain"
        elif self.path == "/sitemap.xml":
            locs = "".join(f"<url><loc>{host}/p/{i}</loc></url>" for i in range(self.pages))
            body, kind = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>', "application/xml"
        elif self.path == "/" or self.path.startswith("/p/"):
            i = int(self.path.rsplit("/", 1)[1] or 0) if self.path != "/" else 0
            links = "".join(f'<a href="/p/{j}">page {j}</a> ' for j in (i + 1, i + 2) if j < self.pages)
            paragraphs = "".join(
                f"<p>Page {i} paragraph {n}: our service number {i * 10 + n} covers repairs, tune-ups and "
                f"inspections for model year {1990 + (i + n) % 35}, with prices quoted before any work.</p>"
                for n in range(6))
            body = f"<html><head><title>Page {i}</title></head><body><nav>{links}</nav><article><h1>Page {i}</h1>" \
                   f"{paragraphs}</article></body></html>"
            kind = "text/html; charset=utf-8"
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def bench_site(bot_id: int) -> dict[str, float]:
    from tenants.knowledge.website import website_refresh, website_source_add

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        site = website_source_add(bot_id=bot_id, start_url=f"http://127.0.0.1:{server.server_address[1]}/",
                                  max_depth=3, max_pages=200)
        started = time.perf_counter()
        crawl = website_refresh(site=site)
        total = time.perf_counter() - started
        again_started = time.perf_counter()
        again = website_refresh(site=site)
        again_s = time.perf_counter() - again_started
    finally:
        server.shutdown()
    from tenants.knowledge.models import Chunk

    chunks = Chunk.objects.filter(source__website=site).count()
    return {"pages": crawl.pages_fetched, "chunks": chunks, "total_s": round(total, 2),
            "chunks_per_s": round(chunks / total, 1), "pages_per_s": round(crawl.pages_fetched / total, 1),
            "recrawl_unchanged_s": round(again_s, 2), "recrawl_unchanged_pages": again.unchanged}


def _fill(cursor, *, bot_id: int, source_id: int, n: int, start: int) -> None:
    cursor.execute("""
        INSERT INTO knowledge_chunk (bot_id, source_id, position, text, content_hash, embedding)
        SELECT %(bot)s, %(src)s, i, 'synthetic chunk ' || i, md5(%(bot)s::text || ':' || i),
               (SELECT array_agg(x + (random() - 0.5) * 0.5 ORDER BY o)
                  FROM unnest(c.v) WITH ORDINALITY AS t(x, o))::vector
        FROM generate_series(%(start)s, %(end)s) i
        JOIN bench_centroids c ON c.id = 1 + (i %% 200)
    """, {"bot": bot_id, "src": source_id, "start": start, "end": start + n - 1})


ANN_SQL = ("SELECT id FROM knowledge_chunk WHERE bot_id = %s ORDER BY embedding <=> %s::vector LIMIT %s")


def _queries(cursor, count: int) -> list[str]:
    cursor.execute("""
        SELECT (SELECT array_agg(x + (random() - 0.5) * 0.5 ORDER BY o) FROM unnest(c.v) WITH ORDINALITY AS t(x, o))::text
        FROM generate_series(1, %s) q JOIN bench_centroids c ON c.id = 1 + (q * 7 %% 200)
    """, [count])
    return [row[0].replace("{", "[").replace("}", "]") for row in cursor.fetchall()]


def bench_retrieval(*, sizes: list[int], queries: int) -> list[dict[str, object]]:
    from django.db import connection, transaction

    from tenants.bots.models import Bot
    from tenants.knowledge.models import HNSW_EF_CONSTRUCTION, HNSW_M, KnowledgeSource

    results = []
    for pk in (900, 901):  # the synthetic chunks' bots (explicit ids: the SQL below names them)
        Bot.objects.get_or_create(pk=pk, defaults={"name": f"bench retrieval {pk}"})
    big = KnowledgeSource.objects.create(bot_id=900, kind="article", title="synthetic", content_hash="x")
    small = KnowledgeSource.objects.create(bot_id=901, kind="article", title="synthetic small", content_hash="y")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_centroids")
        cursor.execute("CREATE TABLE bench_centroids AS SELECT c AS id, array_agg(random() * 2 - 1) AS v "
                       "FROM generate_series(1, 200) c, generate_series(1, 384) d GROUP BY c")
        _fill(cursor, bot_id=901, source_id=small.pk, n=25, start=1)
    loaded = 0
    for size in sizes:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("DROP INDEX IF EXISTS chunk_embedding_hnsw")
            _fill(cursor, bot_id=900, source_id=big.pk, n=size - loaded, start=loaded + 1)
            load_s = time.perf_counter() - started
            started = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("CREATE INDEX chunk_embedding_hnsw ON knowledge_chunk USING hnsw (embedding vector_cosine_ops) "
                           f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})")
            cursor.execute("ANALYZE knowledge_chunk")
            index_s = time.perf_counter() - started
            loaded = size
            vectors = _queries(cursor, queries)
        db_ms, wall_ms, recalls, filtered_ok, hybrid_ms = [], [], [], 0, []
        from tenants.knowledge.selectors import HNSW_EF_SEARCH, knowledge_search

        for vector in vectors:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                cursor.execute(f"SET LOCAL hnsw.ef_search = {HNSW_EF_SEARCH}")
                started = time.perf_counter()
                cursor.execute(ANN_SQL, [900, vector, 10])
                approx = [r[0] for r in cursor.fetchall()]
                wall_ms.append((time.perf_counter() - started) * 1000)
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + ANN_SQL, [900, vector, 10])
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                db_ms.append(plan["Execution Time"])
                uses_index = "chunk_embedding_hnsw" in json.dumps(plan)
                cursor.execute(ANN_SQL, [901, vector, 10])
                got10 = len(cursor.fetchall())
                cursor.execute(ANN_SQL, [901, vector, 40])
                got_all = len(cursor.fetchall())
                filtered_ok += int(got10 == 10 and got_all == 25)
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute(ANN_SQL, [900, vector, 10])
                exact = [r[0] for r in cursor.fetchall()]
                recalls.append(len(set(approx) & set(exact)) / 10)
            floats = [float(x) for x in vector.strip("[]").split(",")]
            started = time.perf_counter()
            knowledge_search(bot_id=900, query="synthetic chunk", embedding=floats, k=10)
            hybrid_ms.append((time.perf_counter() - started) * 1000)
        results.append({
            "chunks": size, "load_s": round(load_s, 1), "index_build_s": round(index_s, 1),
            "uses_hnsw_index": uses_index,
            "db_ms_p50": round(statistics.median(db_ms), 2), "db_ms_p95": round(_p95(db_ms), 2),
            "wall_ms_p95": round(_p95(wall_ms), 2), "hybrid_search_ms_p95": round(_p95(hybrid_ms), 2),
            "recall_at_10": round(statistics.mean(recalls), 4), "recall_at_10_min": min(recalls),
            "filtered_k_rows_ok": f"{filtered_ok}/{len(vectors)}",
        })
        print(json.dumps(results[-1]), flush=True)
    return results


def _bot(name: str) -> int:
    """A bot row in the client's schema: knowledge rows reference their bot (issue 10's foreign keys)."""
    from tenants.bots.models import Bot

    return int(Bot.objects.create(name=name).pk)


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--pdf-only", action="store_true", help="only the 100-page PDF ingestion (the embedder path)")
    args = parser.parse_args()
    _setup_django()
    from django_tenants.utils import tenant_context

    client = _client()
    report: dict[str, object] = {}
    try:
        with tenant_context(client):
            if not args.skip_ingest:
                from tenants.knowledge.embedding import knowledge_embedder

                knowledge_embedder().embed(["warm up the model"])
                report["pdf_100_pages"] = bench_pdf(bot_id=_bot("bench pdf"))
                print(json.dumps(report["pdf_100_pages"]), flush=True)
                if args.pdf_only:
                    return
                report["site_200_pages"] = bench_site(bot_id=_bot("bench site"))
                print(json.dumps(report["site_200_pages"]), flush=True)
            report["retrieval"] = bench_retrieval(sizes=[int(s) for s in args.sizes.split(",")],
                                                  queries=args.queries)
    finally:
        client.delete(force_drop=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
