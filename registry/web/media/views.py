from flask import Blueprint

"""Views of stored photos: each rendition by content hash, with long-lived cache headers."""
from flask import abort, send_file

from registry.entries.photos import photo_dir, rendition_path

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/photos/<sha256>/<rendition>.webp")
def photo(sha256: str, rendition: str):
    """Serve one rendition of a stored photo; the URL never changes its content."""
    try:
        path = rendition_path(photo_dir(), sha256, rendition)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=31_536_000, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
