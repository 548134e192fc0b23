"""The demo data set: public examples of model initiatives and fictional individuals, with drawn illustrations."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from registry.catalog.seed import catalogues_load
from registry.entries.records import ImportReport, records_import

DEMO_DIR = Path(__file__).parent
FONT_PATH = DEMO_DIR / "fonts" / "DejaVuSans-Bold.ttf"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def illustration_draw(label: str, hue: int, *, size: tuple[int, int] = (1200, 750)) -> Image.Image:
    """Draw an illustration card: a two-tone gradient, the label, and a mark saying it is an illustration."""
    width, height = size
    top = Image.new("HSV", (1, 1), (hue % 360 * 255 // 360, 150, 120)).convert("RGB").getpixel((0, 0))
    bottom = Image.new("HSV", (1, 1), ((hue + 40) % 360 * 255 // 360, 170, 70)).convert("RGB").getpixel((0, 0))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    draw = ImageDraw.Draw(image)
    for i in range(0, width + height, 120):
        draw.line([(i, 0), (i - height, height)], fill=tuple(min(255, c + 18) for c in top), width=3)
    title_font = ImageFont.truetype(str(FONT_PATH), 72)
    small_font = ImageFont.truetype(str(FONT_PATH), 32)
    lines = _wrap(draw, label, title_font, width - 240)[:4]
    y = height // 2 - len(lines) * 46
    for line in lines:
        draw.text((width // 2, y), line, font=title_font, fill="white", anchor="ma")
        y += 92
    draw.rounded_rectangle([(40, height - 110), (520, height - 40)], radius=16, fill=(0, 0, 0))
    draw.text((70, height - 95), "ẢNH MINH HỌA", font=small_font, fill="white")
    return image


def demo_load() -> ImportReport:
    """Load the catalogues and import the demo records with their drawn illustrations (flushes only)."""
    catalogues_load()
    with tempfile.TemporaryDirectory(prefix="registry-demo-") as tmp:
        work = Path(tmp)
        (work / "photos").mkdir()
        lines = []
        for raw in (DEMO_DIR / "records.jsonl").read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            record = json.loads(raw)
            for photo in record.get("photos", []):
                spec = photo.get("illustration") or {}
                image = illustration_draw(spec.get("label") or record["title"], int(spec.get("hue", 200)))
                image.save(work / photo["path"], "JPEG", quality=85)
                photo["illustration"] = True
            lines.append(json.dumps(record, ensure_ascii=False))
        source = work / "demo.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = records_import(source)
        shutil.rmtree(work / "photos", ignore_errors=True)
    return report
