"""Views of stored photos: each rendition by content hash, with long-lived cache headers; photos that are not
public only to those who keep their entry."""
from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from registry.entries.models import Photo
from registry.entries.permissions import can_see_entry_drafts
from registry.entries.photos import PhotoError, photo_dir, rendition_path, stored_rendition
from registry.extensions import db

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/photos/<sha256>/<rendition>.webp")
def photo(sha256: str, rendition: str):
    """Serve one rendition of a stored photo; the URL never changes its content."""
    try:
        path = rendition_path(photo_dir(), sha256, rendition)
    except ValueError:
        abort(404)
    return _webp(path, public=True)


@bp.get("/held/<int:photo_id>/<rendition>.webp")
@login_required
def held_photo(photo_id: int, rendition: str):
    """A rendition of a photo that is not public (not described, without consent, removed or withdrawn), for
    those who keep its entry; the same answer for anyone else as for a photo that does not exist."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.entry is None or not can_see_entry_drafts(current_user, photo.entry):
        abort(404)
    try:
        path = stored_rendition(photo.sha256, rendition)
    except PhotoError:
        abort(404)
    return _webp(path, public=False)


def _webp(path, *, public: bool):
    """Send a stored rendition (404 when its file is gone): a public one cached for a year as immutable, a held
    one never stored by anyone."""
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=31_536_000 if public else 0, conditional=True)
    if public:
        response.cache_control.public = True
        response.cache_control.immutable = True
    else:
        response.cache_control.private = True
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
