"""What an entry page offers for reuse: citations, photo downloads, OpenGraph and schema.org data."""
from __future__ import annotations

import html as html_lib
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from registry.entries.models import Entry
from registry.extensions import db
from registry.platform.vietnam_time import official_date
from tests.support.records import entry_id


def page(client, app, ref: str, lang: str = "en") -> str:
    response = client.get(f"/entries/{entry_id(app, ref)}?lang={lang}", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def citations(html: str) -> list[str]:
    return [html_lib.unescape(c) for c in re.findall(r'<pre class="citation">(.*?)</pre>', html, re.S)]


def test_cite_block_has_title_unit_year_permalink_and_date(dataset, client, app):
    html = page(client, app, "shipper")
    cite = citations(html)[-1]
    eid = entry_id(app, "shipper")
    assert cite.startswith("Shipper xanh. Quận đoàn Long Biên, Quận Long Biên, Thành phố Hà Nội, 2021. ")
    assert f"http://localhost/entries/{eid}/shipper-xanh." in cite
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the site's time zone, not the machine's
    assert f"Accessed {today.strftime('%B')} {today.day}, {today.year}." in cite
    vi = citations(page(client, app, "shipper", "vi"))[-1]
    assert f"Truy cập ngày {official_date(today, lead=False)}." in vi and "Shipper xanh." in vi


def test_each_award_has_its_citation(dataset, client, app):
    html = page(client, app, "bich-hoa")
    eid = entry_id(app, "bich-hoa")
    award_cites = [c for c in citations(html) if "#award-" in c]
    assert len(award_cites) == 2
    province = next(c for c in award_cites if "4512/QĐ-UBND" in c)
    assert province.startswith("Tuyến đường bích họa: ")
    assert "Provincial level, 2020" in province and "September 15, 2020" in province
    assert re.search(rf"http://localhost/entries/{eid}/tuyen-duong-bich-hoa#award-\d+\.", province)
    revoked = next(c for c in award_cites if "88/QĐ-UBND" in c)
    assert "Revoked on March 1, 2024" in revoked
    assert re.search(r'<li class="award revoked" id="award-\d+">', html)


def test_photo_download_with_credit_and_licence(dataset, client, app):
    html = page(client, app, "shipper")
    link = re.search(r'<a href="(/media/photos/\w+/original\.webp)" download>Download the original \(640 × 400\)</a>', html)
    assert link and client.get(link.group(1)).status_code == 200
    figure = html[html.index("<figcaption"):html.index("</figcaption>")]
    assert "Credit: Quận đoàn Long Biên" in figure and "Licence: CC BY 4.0" in figure and "Download the original" in figure


def test_open_graph_tags(dataset, client, app):
    html = page(client, app, "shipper")
    og = dict(re.findall(r'<meta property="(og:[\w:]+)" content="([^"]*)"', html))
    eid = entry_id(app, "shipper")
    assert og["og:title"] == "Shipper xanh"
    assert og["og:url"] == f"http://localhost/entries/{eid}/shipper-xanh"
    assert og["og:locale"] == "en_US" and og["og:locale:alternate"] == "vi_VN"
    assert re.fullmatch(r"http://localhost/media/photos/\w{64}/large\.webp", og["og:image"])
    assert og["og:description"].startswith("Đoàn viên chở hàng")
    assert 'content="vi_VN"' in page(client, app, "atm", "vi").split('property="og:locale"')[1][:30]


def json_ld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_schema_org_types_and_awards(dataset, client, app):
    person = json_ld(page(client, app, "hoa"))
    assert person["@context"] == "https://schema.org" and person["@type"] == "Person"
    assert person["name"] == "Nguyễn Thị Hoa" and person["award"] == ["Giấy khen (2023)"]
    collective = json_ld(page(client, app, "bich-hoa"))
    # The revoked award is not claimed.
    assert collective["@type"] == "Organization" and collective["award"] == ["Bằng khen của Chủ tịch UBND cấp tỉnh (2020)"]
    initiative = json_ld(page(client, app, "shipper"))
    assert initiative["@type"] == "Project" and initiative["image"][0].endswith("/large.webp")


def test_json_ld_cannot_be_broken_out_of(dataset, client, app):
    with app.app_context():
        entry = db.session.get(Entry, entry_id(app, "atm"))
        entry.title = 'ATM </script><script>alert("x")</script> & <b>'
        db.session.commit()
    html = page(client, app, "atm")
    assert '<script>alert("x")</script>' not in html
    data = json_ld(html)
    assert data["name"] == 'ATM </script><script>alert("x")</script> & <b>'
    assert html.count("</script>") == 1
