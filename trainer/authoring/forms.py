from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Regexp

from trainer.forms import capped, options, required
from trainer.vocabulary import Language


class NewCourseForm(FlaskForm):
    slug = StringField(_l("Course id"), validators=[capped(64), required, Regexp(
        r"^[a-z][a-z0-9-]*$", message=_l("Use lowercase letters, digits and hyphens, starting with a letter."))],
        description=_l("Stable and never reused, for example police-advanced."))
    title = StringField(_l("Title"), validators=[capped(200), required])
    language = SelectField(_l("Language of the course"), choices=options(Language.choices()))


class EditFileForm(FlaskForm):
    text = TextAreaField(_l("Markdown"), validators=[
        capped(1024 * 1024, _l("The file is larger than 1 MB. Split the module into two."))])


class NewModuleForm(FlaskForm):
    filename = StringField(_l("File name"), validators=[capped(100), required],
                           description=_l("For example 04-roadside-check.md"))
    title = StringField(_l("Title"), validators=[capped(200), required])
    kind = SelectField(_l("Kind"), choices=options([("lesson", _l("Lesson")), ("quiz", _l("Quiz")),
                                                    ("scenario", _l("Branching scenario"))]))


class ImageForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG or WebP, up to 2 MB)"),
                      validators=[FileRequired(message=_l("Choose a file."))])


class GiftForm(FlaskForm):
    """Shown on the course page beside NewModuleForm: its own ids, so each label finds its field."""
    gift = FileField(_l("GIFT file from Moodle"), validators=[FileRequired(message=_l("Choose a file."))])
    filename = StringField(_l("New module file name"), validators=[capped(100), required],
                           description=_l("For example 05-imported-quiz.md"), id="gift-filename")
    title = StringField(_l("Module title"), validators=[capped(200), required], id="gift-title")
    import_rest = BooleanField(_l("If some questions cannot be converted, import the others anyway"),
                               id="gift-import-rest")


class ArchiveForm(FlaskForm):
    archive = FileField(_l("Course zip"), validators=[FileRequired(message=_l("Choose a file."))])
    publish = BooleanField(_l("Publish at once (otherwise each course in the zip becomes a draft to review)"))
    replace_course = BooleanField(_l("Replace a different course that has the same id"))
    force = BooleanField(_l("Publish even if the course was changed in the browser and the zip lacks those changes"))


class ReferralForm(FlaskForm):
    country = StringField(_l("Country or region code"), validators=[capped(8), required],
                          description=_l("CA, US, GB, NL… or a region such as CA-ON."))
    name = StringField(_l("Name of the service"), validators=[capped(200), required])
    description = TextAreaField(_l("What it offers"), validators=[capped(2000)],
                                description=_l("In English: shown in every language that has no text of its own."))
    description_nl = TextAreaField(_l("What it offers, in Dutch"), validators=[capped(2000)],
                                   description=_l("Optional: shown instead to people who use the site in Dutch."))
    phone = StringField(_l("Phone number"), validators=[capped(60)])
    url = StringField(_l("Web address"), validators=[capped(500)])
    hours = StringField(_l("Opening hours"), validators=[capped(120)])
    languages = StringField(_l("Languages, separated by commas"), validators=[capped(300)])
    checked = DateField(_l("Checked on"), validators=[required])
    source = StringField(_l("Checked against (the publisher's page)"), validators=[capped(500), required])
