"""Configuration: safe defaults, paths under the instance folder, environment overrides."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, else a random key kept in the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    # Hosting platforms still hand out the pre-SQLAlchemy-1.4 scheme; psycopg 3 is the driver we ship.
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            url = "postgresql+psycopg://" + url[len(scheme):]
    return url or f"sqlite:///{instance_path / 'registry.sqlite3'}"


def build_config(instance_path: Path) -> dict:
    """Build the configuration for an app whose instance folder is ``instance_path``."""
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # Bound values stay out of error messages and logs: they may be private fields.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # "auto": PostgreSQL's own search tables when the database is PostgreSQL, else Whoosh in SEARCH_INDEX_DIR.
        "SEARCH_BACKEND": os.environ.get("SEARCH_BACKEND", "auto"),
        "SEARCH_INDEX_DIR": str(instance_path / "search-index"),
        # Several app servers share these two folders (a shared mount): see the README.
        "PHOTO_DIR": os.environ.get("PHOTO_DIR") or str(instance_path / "photos"),
        # Pictures of photos nobody may see yet (no description, no consent, withdrawn, removed): out of the
        # public store, which nginx serves to anyone holding an address.
        "PHOTO_HELD_DIR": os.environ.get("PHOTO_HELD_DIR") or str(instance_path / "photos-held"),
        "PHOTO_MAX_BYTES": int(os.environ.get("PHOTO_MAX_BYTES", 15 * 1024 * 1024)),
        "PHOTO_MAX_PIXELS": int(os.environ.get("PHOTO_MAX_PIXELS", 40_000_000)),
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "PER_PAGE": 24,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        # Open data: a generous per-address limit on the JSON API, and a cap on exported rows.
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "TRUSTED_PROXY_COUNT": int(os.environ.get("TRUSTED_PROXY_COUNT", 0)),
        "EXPORT_MAX_ROWS": int(os.environ.get("EXPORT_MAX_ROWS", 10_000)),
        # A download renders up to EXPORT_MAX_ROWS entries: a budget of its own per address (those served
        # again from the page cache do not count), and how many one address may have in preparation at once
        # in each worker process.
        "EXPORT_RATE_LIMIT": os.environ.get("EXPORT_RATE_LIMIT", "10 per minute;60 per hour"),
        "EXPORT_CONCURRENCY": int(os.environ.get("EXPORT_CONCURRENCY", 1)),
        "FEED_SIZE": 50,
        "SITEMAP_MAX_URLS": 50_000,
        # Read-side results (facet counts, the unit tree) each process keeps until the data changes.
        "READ_CACHE_SIZE": int(os.environ.get("READ_CACHE_SIZE", 2048)),
        # Whole public pages and API answers each process keeps until the data changes (0 turns it off).
        "PAGE_CACHE_MB": float(os.environ.get("PAGE_CACHE_MB", 64)),
        **workflow_config(instance_path),
        **operations_config(),
        **about_config(),
    }


def _about_text(name: str, vi: str, en: str) -> str | dict[str, str]:
    """A text of the about page: the environment's (one text for every language) or the default in each language."""
    return os.environ.get(name) or {"vi": vi, "en": en}


def about_config() -> dict:
    """Texts of the public about page (Giới thiệu): a str for every language, or a dict by language code."""
    return {
        "ABOUT_AGENCY": _about_text(
            "ABOUT_AGENCY",
            "Cơ sở dữ liệu điển hình tiên tiến, mô hình hay do Ủy ban nhân dân phường quản lý; cơ quan thường trực Hội đồng Thi đua – Khen thưởng phường "
            "cập nhật nội dung. Các cơ quan, đơn vị, tổ chức trên địa bàn đề nghị; Hội đồng xét, Chủ tịch Ủy ban "
            "nhân dân phường quyết định khen thưởng.",
            "This registry is kept by the ward People's Committee; the standing office of the ward's emulation and "
            "commendation council keeps it up to date. Units in the ward nominate; the council reviews and the "
            "chair of the People's Committee decides the awards.",
        ),
        "ABOUT_CONTACT": _about_text(
            "ABOUT_CONTACT",
            "Bộ phận Thi đua – Khen thưởng, Văn phòng HĐND và UBND phường. Góp ý, đề nghị đính chính xin gửi "
            "bằng văn bản qua Bộ phận Tiếp nhận và Trả kết quả của phường, trong giờ hành chính.",
            "The emulation and commendation desk of the ward People's Council and Committee office. Send comments "
            "or corrections in writing through the ward's one-stop reception desk, in office hours.",
        ),
        "ABOUT_DATA_LICENCE": _about_text(
            "ABOUT_DATA_LICENCE",
            "Nội dung công khai (tên, tóm tắt, câu chuyện, đơn vị, khen thưởng) được phép sao chép, sử dụng lại "
            "theo giấy phép Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0), với điều kiện ghi rõ nguồn. "
            "Ảnh có tác giả và giấy phép riêng, ghi dưới từng ảnh.",
            "The public content (names, summaries, stories, units, awards) may be copied and reused under the "
            "Creative Commons Attribution 4.0 International licence (CC BY 4.0), naming the source. Photos have "
            "their own credit and licence, shown under each photo.",
        ),
        "ABOUT_PRIVACY": _about_text(
            "ABOUT_PRIVACY",
            "Trang công khai chỉ đăng thông tin đã được duyệt công bố: họ tên, đơn vị, thành tích, khen thưởng. "
            "Số điện thoại, địa chỉ, số giấy tờ tùy thân trong hồ sơ đề nghị chỉ người có thẩm quyền được xem; "
            "không đăng trên trang, không có trong API hay tệp tải về (Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu "
            "cá nhân). Trang không dùng công cụ theo dõi hay quảng cáo; nhật ký máy chủ không ghi nội dung tìm kiếm. "
            "Người có tên trên trang có thể đề nghị đính chính hoặc gỡ thông tin qua đầu mối liên hệ nêu trên.",
            "The public pages show only what was approved for publication: names, units, achievements and awards. "
            "Phone numbers, addresses and ID numbers in nomination dossiers are seen only by those entitled to; "
            "they are never on the pages, in the API or in downloads (Decree 13/2023/ND-CP on personal data "
            "protection). The site uses no tracking or advertising tools; server logs do not record searches. "
            "People named in the registry may ask for a correction or removal through the contact above.",
        ),
    }


def workflow_config(instance_path: Path) -> dict:
    """Settings of accounts and the nomination workflow."""
    return {
        "REMEMBER_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_PROTECTION": "strong",
        # A dossier may take longer than an hour to type: the CSRF token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": "scrypt",
        "PASSWORD_MIN_LENGTH": 10,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "COMMENT_RATE_LIMIT": os.environ.get("COMMENT_RATE_LIMIT", "5 per minute;30 per day"),
        # Wrong verification codes per address (a code that exists never counts): guessing codes stays hopeless.
        "VERIFY_RATE_LIMIT": os.environ.get("VERIFY_RATE_LIMIT", "10 per minute;100 per day"),
        # A dossier typed while the session ended is kept for its user: this long, this large, this many each.
        "KEPT_FORM_HOURS": int(os.environ.get("KEPT_FORM_HOURS", 24)),
        "KEPT_FORM_MAX_BYTES": int(os.environ.get("KEPT_FORM_MAX_BYTES", 512 * 1024)),
        "KEPT_FORMS_PER_USER": int(os.environ.get("KEPT_FORMS_PER_USER", 4)),
        "ATTACHMENT_DIR": os.environ.get("ATTACHMENT_DIR") or str(instance_path / "attachments"),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)),
        # Public holidays as ISO dates; administrators add more in the web UI.
        "HOLIDAYS": [d for d in os.environ.get("HOLIDAYS", "").split(",") if d.strip()],
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "1") == "1",
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "registry@localhost"),
    }


def operations_config() -> dict:
    """Settings of logging, security headers, the sign-in throttle and the health checks."""
    return {
        # One JSON line per request on stderr; set REQUEST_LOG=0 when the proxy's access log is enough.
        "REQUEST_LOG": os.environ.get("REQUEST_LOG", "1") == "1",
        # Sent only over HTTPS (or behind a proxy that says so through TRUSTED_PROXY_COUNT).
        "HSTS_MAX_AGE": int(os.environ.get("HSTS_MAX_AGE", 31_536_000)),
        # Wrong passwords slow down where they come from, never the account for everyone (README, Security).
        "LOGIN_FREE_FAILURES": int(os.environ.get("LOGIN_FREE_FAILURES", 5)),
        "LOGIN_ADDRESS_FREE_FAILURES": int(os.environ.get("LOGIN_ADDRESS_FREE_FAILURES", 20)),
        "LOGIN_ACCOUNT_FREE_FAILURES": int(os.environ.get("LOGIN_ACCOUNT_FREE_FAILURES", 100)),
        "LOGIN_DELAY_SECONDS": int(os.environ.get("LOGIN_DELAY_SECONDS", 30)),
        "LOGIN_MAX_DELAY_SECONDS": int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", 900)),
        "LOGIN_WINDOW_MINUTES": int(os.environ.get("LOGIN_WINDOW_MINUTES", 60)),
        "LOGIN_DEVICE_DAYS": int(os.environ.get("LOGIN_DEVICE_DAYS", 180)),
        "LOGIN_AUDIT_DAYS": int(os.environ.get("LOGIN_AUDIT_DAYS", 90)),
        "DISK_FREE_WARN_MB": int(os.environ.get("DISK_FREE_WARN_MB", 1024)),
        "DISK_FREE_FAIL_MB": int(os.environ.get("DISK_FREE_FAIL_MB", 100)),
    }
