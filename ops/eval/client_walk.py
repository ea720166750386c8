"""Walk issue 16's client dashboard on a running `make demo`, over HTTP, as the client's owner.

    python -m ops.eval.client_walk [--port 8000] [--client harbor-grill] \
        [--domain dashboard.harborgrill.localhost] [--out artifacts/client-walk]

Signs in on the client's own (test) custom domain and checks: the client's logo and the agency's
name ("Powered by"), no internal ID or raw label in the pages, engagement within 0–100 %, times with
the zone named, "Popular topics" populated, and the PDF report with the logo and chart images (pypdf
counts the images). Saves the pages and the PDF under --out for a person to look at.
"""

from __future__ import annotations

import argparse
import re
import sys
from io import BytesIO
from pathlib import Path

from ops.dev import ROOT
from ops.eval.billing_walk import Browser, Walk, sign_in

INTERNAL = re.compile(r"\b(?:AN|VAL|BILL|CX|UX|WID|AX|BOT|ADM|SEC|PRM|CXI|BEY)-\d\b|docs/|\b[a-z]+_[a-z_]+\b")
AGENCY_NAME = "Harborlight Digital"  # tenants/demo/setup.py DEMO_AGENCY
# The chart titles of tenants/dashboard/exports.py REPORT_CHARTS (that module needs Django).
REPORT_CHART_TITLES = ("Messages and conversations per day", "Leads and booking clicks", "Funnel",
                       "Business hours vs after hours")


def _visible_text(html: str) -> str:
    """The text a reader sees: no tags, scripts, styles, code elements or attribute values."""
    html = re.sub(r"(?is)<(script|style|code|svg|template)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.eval.client_walk")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--client", default="harbor-grill")
    parser.add_argument("--owner", default="owner@harborgrill.example")
    parser.add_argument("--domain", default="dashboard.harborgrill.localhost")
    parser.add_argument("--out", default=str(ROOT / "artifacts" / "client-walk"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    walk = Walk(port=args.port)

    print(f"\n1. The owner signs in on the client's own domain {args.domain}", flush=True)
    owner = Browser(args.port, args.domain)
    if not sign_in(walk, owner, args.owner):
        return 1
    pages = {}
    for name, path in (("home", "/?range=30"), ("conversations", "/conversations/"), ("leads", "/leads/"),
                       ("billing", "/billing/"), ("setup", "/setup/")):
        response = owner.get(path)
        pages[name] = response.text
        (out / f"{name}.html").write_text(response.text)
        walk.check(response.status_code == 200, f"{path} answers on the custom domain", f"HTTP {response.status_code}")
    home = pages["home"]

    print("2. Branding", flush=True)
    logo = re.search(r'<img[^>]+src="(/brand/logos/[^"]+)"', home)
    walk.check(bool(logo), "the client's logo is in the dashboard header", logo.group(1) if logo else "")
    if logo:
        walk.check(owner.get(logo.group(1)).status_code == 200, "the logo loads")
    walk.check("Shoreline" not in _visible_text(home), "no 'Shoreline' where the client looks (white label)")
    walk.check(AGENCY_NAME in home, f"the agency's name ({AGENCY_NAME}) is shown")

    print("3. Copy and numbers", flush=True)
    for name, html in pages.items():
        hits = sorted(set(INTERNAL.findall(_visible_text(html))))
        walk.check(not hits, f"{name}: no internal ID, path or raw label", ", ".join(hits[:5]))
    engagement = re.search(r"Engagement.*?stat__value\">\s*([\d.]+)%", home, re.S)
    share = float(engagement.group(1)) if engagement else -1.0
    walk.check(0 < share <= 100, "Engagement is a share within 0–100 %",
               f"{share:g} %" if engagement else "tile not found")
    zone = re.search(r"times in ([A-Z][\w ]+ time|UTC)", home)
    walk.check(bool(zone), "times say their zone", zone.group(1) if zone else "")
    walk.check('id="chart-topics-spec"' in home and "No topics yet" not in home,
               "Popular topics is populated (a chart, not the empty state)")

    print("4. The PDF report", flush=True)
    report = owner.get("/report.pdf?range=30")
    (out / "report.pdf").write_bytes(report.content)
    walk.check(report.status_code == 200 and report.content.startswith(b"%PDF"), "the report downloads as a PDF",
               f"{len(report.content):,} bytes")
    try:
        from pypdf import PdfReader

        reader = PdfReader(BytesIO(report.content))
        images = sum(len(page.images) for page in reader.pages)
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        walk.check(images >= 1, "the report has the client's logo", f"{images} image(s), {len(reader.pages)} pages")
        # The charts are drawn as vector graphics (tenants/dashboard/pdf_charts.py): look for their titles.
        titles = [t for t in REPORT_CHART_TITLES if t in text]
        walk.check(len(titles) == len(REPORT_CHART_TITLES), "the report has its charts", ", ".join(titles))
        walk.check("docs/" not in text and not re.search(r"\b[A-Z]{2,4}-\d\b", text), "no internal ID in the PDF")
    except ImportError:
        walk.check(report.content.count(b"/Subtype /Image") >= 1, "the report has the client's logo")
    print(f"\nPages and the PDF are in {out}.")
    print(f"{'All checks passed.' if not walk.failures else 'FAILED: ' + '; '.join(walk.failures)}")
    return len(walk.failures)


if __name__ == "__main__":
    sys.exit(main())
