"""The demo's API token: ANVT's national register reads and writes as an officer, with a secret
known in advance (development only, like the demo passwords) so that `make run` can be tried
with curl at once."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, Membership
from api.models import ApiToken
from api.services import api_token_create, digest_of

DEMO_TOKEN = "rcp_demo-anvt-registre-national"  # noqa: S105  (demo data, DEBUG only)
DEMO_TOKEN_NAME = "Registre national des volontaires (démo)"  # noqa: S105


def load_api_tokens() -> None:
    anvt = Agency.objects.get(acronym="ANVT")
    if ApiToken.objects.filter(agency=anvt, name=DEMO_TOKEN_NAME).exists():
        return
    token, _secret = api_token_create(
        agency=anvt,
        user=get_user_model().objects.get(username="anvt-manager"),
        name=DEMO_TOKEN_NAME,
        role=Membership.Role.OFFICER,
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    ApiToken.objects.filter(pk=token.pk).update(
        digest=digest_of(DEMO_TOKEN), prefix=DEMO_TOKEN[:10]
    )
