"""Forms of the dossier."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from registry.catalog.unit_picker import UnitField
from registry.entries.models import EntryKind
from registry.workflow.entry_picker import EntryField
from registry.workflow.models import AttachmentKind


class NewNominationForm(FlaskForm):
    round_id = SelectField(_l("Award round"), coerce=int, validators=[DataRequired()])
    unit = UnitField(_l("Nominating unit"), validators=[DataRequired()],
                     description=_l("Your unit or a unit below it: type the name, with or without diacritics, and "
                                    "choose from the list."))
    subject = RadioField(_l("Who or what is nominated"), choices=[
        SelectChoice("new", _l("Someone or something not yet in the registry (drafted in this dossier)")),
        SelectChoice("existing", _l("An entry already in the registry")),
    ], default="new", validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=EntryKind.choices, validators=[Optional()])
    title = StringField(_l("Name"), validators=[Optional(), Length(max=300)],
                        description=_l("The person's full name, the collective's or the initiative's name."))
    entry_ref = EntryField(_l("Existing entry"), validators=[Optional(), Length(max=300)],
                           description=_l("Type the name (a person's, a collective's or an initiative's) and choose "
                                          "from the list; the address of its public page works too."))
    # Set when the officer has seen the entries with a similar name and still wants a new one.
    confirm_new = BooleanField(_l("None of these: draft a new entry"))
    same_as = StringField(validators=[Optional()])


class DossierForm(FlaskForm):
    version = HiddenField()
    kind = SelectField(_l("Kind"), choices=EntryKind.choices, validators=[Optional()])
    title = StringField(_l("Name"), validators=[Optional(), Length(max=300)])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(1945, 2100)])
    summary = TextAreaField(_l("Short summary"), validators=[Optional(), Length(max=2000)],
                            description=_l("One paragraph, shown on the public page; for a sudden award, the deed."))
    story = TextAreaField(_l("Story for the public page (Markdown)"), validators=[Optional(), Length(max=50000)])
    private_phone = StringField(_l("Phone (private)"), validators=[Optional(), Length(max=40)])
    private_address = StringField(_l("Address (private)"), validators=[Optional(), Length(max=300)])
    private_id_number = StringField(_l("ID number (private)"), validators=[Optional(), Length(max=40)])
    report = TextAreaField(
        _l("Achievement report"), validators=[Optional(), Length(max=100000)],
        description=_l("Write it as in a letter, leaving an empty line between paragraphs; or attach the report as a "
                       "document (Word, OpenDocument or PDF) under Documents."),
    )
    letter_number = StringField(_l("Proposal letter: number"), validators=[Optional(), Length(max=80)],
                                description=_l("As written on the letter, e.g. 25/TTr-UBND."))
    letter_date = DateField(_l("Proposal letter: date"), validators=[Optional()])
    letter_signer = StringField(_l("Proposal letter: signer"), validators=[Optional(), Length(max=160)])


class AttachmentForm(FlaskForm):
    kind = SelectField(_l("Document"), choices=AttachmentKind.choices, validators=[DataRequired()])
    file = FileField(_l("File (PDF, Word, OpenDocument, Excel or picture)"), validators=[FileRequired(_l("Choose a file."))])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo"), validators=[FileRequired(_l("Choose a file."))])
    alt = StringField(_l("What the photo shows (for people who cannot see it)"),
                      validators=[DataRequired(), Length(max=300)])
    caption = StringField(_l("Caption"), validators=[Optional(), Length(max=500)])
    credit = StringField(_l("Credit"), validators=[Optional(), Length(max=200)])

