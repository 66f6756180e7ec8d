from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from trainer.forms import capped, options, required
from trainer.vocabulary import Sector


class PlatformForm(FlaskForm):
    """What the LMS shows when the tool is added to it; the service checks the addresses."""

    name = StringField(_l("Name (shown to administrators, and the organisation of the accounts it makes)"),
                       validators=[capped(120), required])
    sector = SelectField(_l("Sector of the accounts it makes"), choices=options(Sector.choices()))
    issuer = StringField(_l("Issuer (platform ID)"), validators=[capped(255), required])
    client_id = StringField(_l("Client ID"), validators=[capped(255), required])
    deployment_ids = StringField(_l("Deployment IDs, separated by commas"), validators=[capped(500), required])
    auth_url = StringField(_l("Authentication request URL (OpenID Connect)"), validators=[capped(500), required])
    token_url = StringField(_l("Access token URL"), validators=[capped(500), required])
    jwks_url = StringField(_l("Public keyset URL"), validators=[capped(500), required])


class DeepLinkForm(FlaskForm):
    """The author's choice on the deep linking page. No CSRF token: the page may be in the LMS's
    frame, without cookies; the signed ticket from the verified launch proves the request."""

    class Meta:
        csrf = False

    ticket = StringField(validators=[capped(4000), required])
    choice = StringField(validators=[capped(200), Optional()])
