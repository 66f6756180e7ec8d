"""Extension singletons; `create_app` binds them to an application."""
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints make Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay loaded after a commit: a view commits, then renders what it already has,
# without reloading every row it touched.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

# Models derive from `Model`. At run time it is `db.Model`, which Flask-SQLAlchemy builds from
# `Base`; a type checker cannot follow that, so it sees `Base` and its typed mapping.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


class SiteTalisman(Talisman):
    """Talisman's headers, except that a view may send a stricter Referrer-Policy of its own, and a
    Content-Security-Policy of its own (which then also decides who may frame it: the LTI pages a
    registered LMS shows in its frame)."""

    def _set_referrer_policy_headers(self, headers):
        headers.setdefault("Referrer-Policy", self.referrer_policy)

    def _set_frame_options_headers(self, headers, options):
        if "Content-Security-Policy" not in headers:
            super()._set_frame_options_headers(headers, options)

    def _set_content_security_policy_headers(self, headers, options):
        if "Content-Security-Policy" in headers:
            options = {**options, "content_security_policy": None}
        super()._set_content_security_policy_headers(headers, options)


talisman = SiteTalisman()
