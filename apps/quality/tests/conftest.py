"""Fixtures of the NCR tests: the company's 管理者代表 and a complaint raised to them."""
from __future__ import annotations

from typing import Any

import pytest

from apps.org.roles import Role
from apps.org.tests.factories import UserFactory, member


@pytest.fixture
def mrep(cast: Any) -> Any:
    """管理者代表 of the company (company level, no project)."""
    user: Any = UserFactory(username="mrep", display_name="冯代表")
    member(user, Role.MANAGEMENT_REP, company=cast.company)
    return user


@pytest.fixture
def complaint(cast: Any, frozen_now: Any) -> Any:
    from apps.tickets.tests.helpers import receive

    return receive(cast, content="地下车库渗水，业主要求赔偿车辆损失并彻底整改防水", department=cast.eng_dept)


def raise_for(cast: Any, ticket: Any, now: Any, **kw: Any) -> Any:
    from apps.quality import actions

    args: dict[str, Any] = dict(
        ticket=ticket, acting_user=cast.cs_manager, now=now,
        nonconformity="地下车库顶板渗水，三辆车漆面受损",
        beyond_authority_reason="涉及防水大修费用和车辆赔偿，超出管理处权限，须报公司决定",
    )
    args.update(kw)
    return actions.raise_ncr(**args)
