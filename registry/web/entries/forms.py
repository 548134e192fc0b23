"""Forms of the entry editor."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from registry.catalog.models import AwardLevel
from registry.catalog.unit_picker import UnitField
from registry.entries.models import AwardKind, EntryKind


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes: easy on a phone, and readable by screen readers."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EntryForm(FlaskForm):
    version = HiddenField()
    kind = SelectField(_l("Kind"), choices=EntryKind.choices, validators=[DataRequired()])
    title = StringField(_l("Name"), validators=[DataRequired(_l("Please enter the name.")), Length(max=300)],
                        description=_l("The person's full name, the collective's or the initiative's name."))
    unit = UnitField(_l("Unit"), validators=[DataRequired(_l("Choose the unit."))],
                     description=_l("Your unit or a unit below it: type the name, the path or #number."))
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(1945, 2100)],
                        description=_l("The year of the deed or of recognition."))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)],
                        description=_l("Village, residential group or ward, as the public may read it; never a "
                                       "home address."))
    summary = TextAreaField(_l("Short summary"), validators=[Optional(), Length(max=2000)],
                            description=_l("One paragraph, shown on cards and at the top of the page."))
    story = TextAreaField(_l("Story"), validators=[Optional(), Length(max=50000)],
                          description=_l("Write as in a letter: leave an empty line between paragraphs."))
    topics = CheckboxesField(_l("Topics"), coerce=int, validators=[Optional()])
    confirm_new = HiddenField()


class UnpublishForm(FlaskForm):
    reason = TextAreaField(_l("Why is it taken off the public pages?"),
                           validators=[DataRequired(_l("Say why the entry is taken off the public pages.")),
                                       Length(max=1000)])


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField(_l("Photos"), validators=[FileRequired(_l("Choose one or more photos."))],
                               description=_l("Several at once: from the phone's camera or gallery, or from the "
                                              "computer. JPEG, PNG, WebP or HEIC."))
    shows_people = BooleanField(_l("People can be recognised in these photos"),
                                description=_l("They stay unpublished until consent is recorded."))
    shows_minor = BooleanField(_l("A child (under 16) can be recognised"),
                               description=_l("The consent must come from a parent or guardian."))
    is_illustration = BooleanField(_l("These are drawn illustrations, not photographs"))
    credit = StringField(_l("Credit"), validators=[Optional(), Length(max=200)])
    licence = StringField(_l("Licence"), validators=[Optional(), Length(max=120)])


class PhotoForm(FlaskForm):
    alt = StringField(_l("What the picture shows"), validators=[DataRequired(_l(
        "Describe what is in the picture, for people who cannot see it.")), Length(max=300)],
        description=_l("Who or what, doing what, where. For a drawing, begin with “Tranh minh họa:”."))
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=500)])
    credit = StringField(_l("Credit"), validators=[Optional(), Length(max=200)])
    licence = StringField(_l("Licence"), validators=[Optional(), Length(max=120)])
    is_illustration = BooleanField(_l("Drawn illustration"))
    shows_people = BooleanField(_l("People can be recognised"))
    shows_minor = BooleanField(_l("A child (under 16) can be recognised"))


class ConsentForm(FlaskForm):
    given_by = StringField(_l("Consent given by"), validators=[DataRequired(_l("Write who gave the consent.")),
                                                               Length(max=200)],
                           description=_l("The full name of the person shown, or of the parent or guardian."))
    by_guardian = BooleanField(_l("Given by a parent or guardian (for a child)"))
    given_on = DateField(_l("Date signed"), validators=[DataRequired(_l("Write the date the consent was given."))])
    document = FileField(_l("Signed consent form (PDF or picture, kept private)"))


class WithdrawConsentForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)],
                       description=_l("How the withdrawal reached you (letter, call, visit)."))


class AwardForm(FlaskForm):
    title_id = SelectField(_l("Title or form of commendation"), coerce=int, validators=[DataRequired()])
    level = SelectField(_l("Level"), choices=AwardLevel.choices, validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[DataRequired(_l("Write the year.")), NumberRange(1945, 2100)])
    award_kind = SelectField(_l("Kind of award"), choices=AwardKind.choices, default="achievement")
    decision_number = StringField(_l("Decision number"), validators=[Optional(), Length(max=80)],
                                  description=_l("As written on the decision, e.g. 4512/QĐ-UBND."))
    decision_date = DateField(_l("Decision date"), validators=[Optional()])
    issuer = UnitField(_l("Issued by"), validators=[Optional()])
    signer = StringField(_l("Signed by"), validators=[Optional(), Length(max=160)])


class ReplicationForm(FlaskForm):
    unit = UnitField(_l("Unit that replicated it"), validators=[DataRequired(_l("Choose the unit."))])
    since_year = IntegerField(_l("Since"), validators=[Optional(), NumberRange(1945, 2100)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class MergeForm(FlaskForm):
    source = IntegerField(_l("Entry to merge (it will redirect)"), validators=[DataRequired()])
    target = IntegerField(_l("Entry to keep"), validators=[DataRequired()])
    confirm = HiddenField()
