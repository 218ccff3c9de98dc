import pytest

from pht.apps.accounts.models import User
from pht.apps.registry.models import GP, Practice
from pht.site.demo import DEMO_USERS, create_demo_users

pytestmark = pytest.mark.django_db


def test_demo_users_created_once_with_their_organisations(registry):
    created = dict(create_demo_users())
    assert set(created) == {u.username for u in DEMO_USERS}
    nurse = User.objects.get(username="sykepleier")
    assert nurse.check_password(created["sykepleier"])
    assert nurse.organisation.practice.municipality.kommunenummer == "0828"
    assert User.objects.get(username="prosjektleder").organisation.municipality.kommunenummer == "0828"
    assert create_demo_users() == []  # running again keeps what is there and prints no passwords
    assert nurse.check_password(created["sykepleier"])


def test_registry_load_is_idempotent(registry):
    from pht.apps.registry.loading import load_demo_registry

    before = (Practice.objects.count(), GP.objects.count())
    assert load_demo_registry(seed=2017, only=("0828", "1401")).created == 0
    assert (Practice.objects.count(), GP.objects.count()) == before
    flora_gps = GP.objects.filter(practice__municipality__kommunenummer="1401")
    assert sum(flora_gps.values_list("list_size", flat=True)) == 11999
