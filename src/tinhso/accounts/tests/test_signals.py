from __future__ import annotations

from tinhso.accounts.models import User
from tinhso.testing.factories import make_user


def test_the_search_column_follows_the_name_on_every_save(db: None) -> None:
    # given an account made outside the services (as createsuperuser or a factory would)
    user = make_user(username="lethu", full_name="Lê Thị Thu")
    assert User.objects.get(pk=user.pk).search_text == "le thi thu lethu"

    # when the name changes
    user.full_name = "Lê Thị Thủy"
    user.save()

    # then the folded column follows
    assert User.objects.get(pk=user.pk).search_text == "le thi thuy lethu"
