"""Which OpenID Connect identity providers people may sign in with, and what each one may decide.

This module is the one place provider settings come from. Today they come from the environment
(read once when the configuration is loaded, into ``OIDC_PROVIDERS``); an organisation that owns
its own provider later hands the same `Provider` record to the same code.

Environment, for each provider named in ``OIDC_PROVIDERS`` (comma-separated short names, letters,
digits and dashes; ``OIDC_<NAME>_...`` with the name in capitals, dashes as underscores):

``ISSUER``            the provider's issuer URL (required); the ID token's ``iss`` must equal it
``DISCOVERY_URL``     defaults to ``<ISSUER>/.well-known/openid-configuration``
``CLIENT_ID``, ``CLIENT_SECRET``   as the provider registered this site (required)
``LABEL``             the words on the button: "Sign in with <LABEL>" (defaults to the name)
``SCOPES``            defaults to ``openid email profile``
``NAME_CLAIM``, ``EMAIL_CLAIM``    defaults ``name`` and ``email``
``ROLE_CLAIM``        a claim holding the person's roles (a string or a list); unset: roles stay
``ROLE_MAP``          ``their-value=role`` pairs, comma-separated (``educator=trainer``)
``ALLOWED_ROLES``     roles the provider may give (default ``learner``); anything else it says is
                      ignored, so a provider never makes someone more than this
``CREATE_ACCOUNTS``   whether a first sign-in makes an account (default false)
``SECTOR``, ``ORGANISATION``       what new accounts say (SECTOR required with CREATE_ACCOUNTS)
``MFA_AMR``           ``amr`` values that count as two factors (default ``mfa,otp,hwk``)
``MFA_ACR``           ``acr`` values that count as two factors (default none)
``CA_BUNDLE``         a file of the certificate authorities to trust for this provider (one on an
                      organisation's own authority); default: the usual public ones

Nothing here imports Flask, so the configuration can be read before the app exists.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from trainer.vocabulary import Role, Sector

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DEFAULT_MFA_AMR = ("mfa", "otp", "hwk")


class ProviderConfigError(ValueError):
    """The environment describes a provider that cannot work; the message says which setting."""


@dataclass(frozen=True)
class Provider:
    """One identity provider and the rules of signing in with it."""

    name: str
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    label: str
    scopes: str = "openid email profile"
    name_claim: str = "name"
    email_claim: str = "email"
    role_claim: str = ""
    role_map: tuple[tuple[str, str], ...] = ()
    allowed_roles: tuple[str, ...] = (Role.LEARNER.value,)
    create_accounts: bool = False
    sector: str = ""
    organisation: str = ""
    mfa_amr: tuple[str, ...] = DEFAULT_MFA_AMR
    mfa_acr: tuple[str, ...] = ()
    ca_bundle: str = ""

    def roles_from(self, claimed: object) -> set[str]:
        """The platform roles a role claim's values map to, within what this provider may give."""
        values = [claimed] if isinstance(claimed, str) else claimed if isinstance(claimed, list) else []
        mapping = dict(self.role_map)
        return {mapping[v] for v in values if isinstance(v, str) and v in mapping} & set(self.allowed_roles)

    def counts_as_two_factors(self, amr: object, acr: object) -> bool:
        """Whether the ID token says the person used more than a password at the provider."""
        methods = amr if isinstance(amr, list) else []
        if any(isinstance(m, str) and m in self.mfa_amr for m in methods):
            return True
        return isinstance(acr, str) and acr in self.mfa_acr


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def provider_from(name: str, settings: Mapping[str, str]) -> Provider:
    """A provider from its settings (the ``OIDC_<NAME>_`` part of each key taken off)."""
    def need(key: str) -> str:
        value = settings.get(key, "").strip()
        if not value:
            raise ProviderConfigError(f"identity provider {name}: {key} is not set")
        return value

    issuer = need("ISSUER").rstrip("/")
    if not issuer.startswith("https://"):
        raise ProviderConfigError(f"identity provider {name}: ISSUER must be an https:// address")
    role_map = []
    for pair in _list(settings.get("ROLE_MAP", "")):
        theirs, sep, ours = pair.partition("=")
        if not sep or ours.strip() not in Role.values():
            raise ProviderConfigError(f"identity provider {name}: ROLE_MAP entry {pair!r} is not value=role")
        role_map.append((theirs.strip(), ours.strip()))
    allowed = _list(settings.get("ALLOWED_ROLES", Role.LEARNER.value))
    unknown = set(allowed) - set(Role.values())
    if unknown:
        raise ProviderConfigError(f"identity provider {name}: ALLOWED_ROLES has unknown roles {sorted(unknown)}")
    create = _flag(settings.get("CREATE_ACCOUNTS", "false"))
    sector = settings.get("SECTOR", "").strip()
    if (create or sector) and sector not in Sector.values():
        raise ProviderConfigError(f"identity provider {name}: SECTOR must be one of {', '.join(Sector.values())}")
    scopes = settings.get("SCOPES", "openid email profile").strip()
    if "openid" not in scopes.split():
        raise ProviderConfigError(f"identity provider {name}: SCOPES must include openid")
    return Provider(
        name=name, issuer=issuer,
        discovery_url=settings.get("DISCOVERY_URL", "").strip() or f"{issuer}/.well-known/openid-configuration",
        client_id=need("CLIENT_ID"), client_secret=need("CLIENT_SECRET"),
        label=settings.get("LABEL", "").strip() or name, scopes=scopes,
        name_claim=settings.get("NAME_CLAIM", "").strip() or "name",
        email_claim=settings.get("EMAIL_CLAIM", "").strip() or "email",
        role_claim=settings.get("ROLE_CLAIM", "").strip(), role_map=tuple(role_map), allowed_roles=allowed,
        create_accounts=create, sector=sector, organisation=settings.get("ORGANISATION", "").strip()[:200],
        mfa_amr=_list(settings["MFA_AMR"]) if "MFA_AMR" in settings else DEFAULT_MFA_AMR,
        mfa_acr=_list(settings.get("MFA_ACR", "")), ca_bundle=settings.get("CA_BUNDLE", "").strip(),
    )


def from_environ(environ: Mapping[str, str]) -> tuple[Provider, ...]:
    """Every provider ``OIDC_PROVIDERS`` names; none when it is unset (single sign-on off)."""
    providers = []
    for name in _list(environ.get("OIDC_PROVIDERS", "").lower()):
        if not _NAME.match(name):
            raise ProviderConfigError(f"identity provider name {name!r}: use letters, digits and dashes")
        prefix = f"OIDC_{name.upper().replace('-', '_')}_"
        settings = {key[len(prefix):]: value for key, value in environ.items() if key.startswith(prefix)}
        providers.append(provider_from(name, settings))
    return tuple(providers)


def find(providers: tuple[Provider, ...], name: str) -> Provider | None:
    return next((p for p in providers if p.name == name), None)
