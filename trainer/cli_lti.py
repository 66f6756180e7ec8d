"""`flask --app wsgi lti ...`: register LTI 1.3 platforms and keep the site's signing keys."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from trainer.extensions import db
from trainer.services import lti
from trainer.services.errors import InvalidInput, NotFound
from trainer.vocabulary import Sector

lti_cli = AppGroup("lti", help="LTI 1.3: the learning systems that launch the site, and its signing keys.")


@lti_cli.command("add-platform")
@click.option("--name", required=True, help="Shown to administrators; the organisation of the accounts it makes.")
@click.option("--sector", type=click.Choice(Sector.values()), required=True, help="Sector of the accounts it makes.")
@click.option("--issuer", required=True, help="The platform's issuer (platform ID).")
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="Repeat for each deployment.")
@click.option("--auth-url", required=True, help="The platform's OpenID Connect authentication request URL.")
@click.option("--token-url", required=True, help="The platform's access token URL.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
def add_platform(name: str, sector: str, issuer: str, client_id: str, deployment_ids: tuple[str, ...],
                 auth_url: str, token_url: str, jwks_url: str) -> None:
    """Register a platform."""
    details = lti.PlatformDetails(name, sector, issuer, client_id, list(deployment_ids), auth_url, token_url, jwks_url)
    try:
        platform = lti.add_platform(details)
    except InvalidInput as error:
        raise click.ClickException(f"{error.field}: {error.message}") from error
    db.session.commit()
    click.echo(f"Registered platform {platform.id}: {platform.name}")


@lti_cli.command("platforms")
def list_platforms() -> None:
    """List the registered platforms."""
    for platform in lti.platforms():
        click.echo(f"{platform.id}\t{platform.name}\t{platform.issuer}\t{platform.client_id}\t"
                   f"{','.join(platform.deployment_ids)}")


@lti_cli.command("remove-platform")
@click.argument("platform_id", type=int)
def remove_platform(platform_id: int) -> None:
    """Forget a platform: its launches are refused from then on."""
    try:
        lti.remove_platform(platform_id)
    except NotFound as error:
        raise click.ClickException(f"no platform {platform_id}") from error
    db.session.commit()
    click.echo(f"Removed platform {platform_id}")


@lti_cli.command("rotate-key")
def rotate_key() -> None:
    """Make a new signing key. The old ones stay in the key set until `lti retire-key`."""
    row = lti.rotate_key()
    db.session.commit()
    click.echo(f"New signing key {row.kid}; the key set now has {len(lti.live_keys())} key(s)")


@lti_cli.command("retire-key")
@click.argument("kid")
def retire_key(kid: str) -> None:
    """Take a key out of the key set (once platforms have read the newer one). An id that starts
    with "-" (keys made before ids were hex) goes after "--": lti retire-key -- -Ab12..."""
    try:
        lti.retire_key(kid)
    except NotFound as error:
        raise click.ClickException(f"no live key {kid}") from error
    except InvalidInput as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Retired key {kid}")


@lti_cli.command("keys")
def list_keys() -> None:
    """List the live keys, oldest first; the last one signs."""
    for row in lti.live_keys():
        click.echo(f"{row.kid}\t{row.created_at:%Y-%m-%d %H:%M} UTC")
